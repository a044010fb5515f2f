from pathlib import Path

import pytest
from PIL import Image

from vision.backend import VisionConfig, backend_create

FIXTURE_PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "photos"


@pytest.fixture(scope="session")
def models_dir():
    # Shared across runs through DATA_DIR (set by tests/settings.py) so the
    # tiny checkpoints are built once per machine, not once per run.
    from django.conf import settings

    return settings.VISION_MODELS_DIR


@pytest.fixture(scope="session")
def tiny_backend(models_dir):
    return backend_create(VisionConfig(models_dir=models_dir, model="tiny", max_new_tokens=768))


@pytest.fixture(scope="session")
def photos():
    return {path.name: Image.open(path).convert("RGB") for path in sorted(FIXTURE_PHOTOS.iterdir())}
