import os
import subprocess
import sys
from pathlib import Path

import pytest

from vision.errors import ModelUnavailable
from vision.models import model_resolve

ROOT = Path(__file__).resolve().parents[2]


def test_it_resolves_tiny_to_the_built_checkpoint(models_dir):
    resolved = model_resolve("tiny", models_dir)
    assert resolved.is_tiny
    assert (resolved.path / "config.json").exists()


def test_it_accepts_a_local_checkpoint_folder(models_dir):
    built = model_resolve("tiny", models_dir).path
    resolved = model_resolve(str(built), models_dir)
    assert resolved.path == built
    assert resolved.is_tiny


def test_it_names_the_tiny_model_when_the_hub_is_out_of_reach(tmp_path):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    with pytest.raises(ModelUnavailable) as caught:
        model_resolve("Qwen/Qwen3-VL-2B-Instruct", tmp_path)
    assert "VISION_MODEL=tiny" in str(caught.value)


def test_it_stops_the_service_at_start_up_with_one_clear_line(tmp_path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "recipes_api.settings",
        "DATA_DIR": str(tmp_path),
        "VISION_MODEL": "Qwen/Qwen3-VL-2B-Instruct",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "worker.preflight"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("platepilot: cannot fetch vision model 'Qwen/Qwen3-VL-2B-Instruct'")
    assert "VISION_MODEL=tiny" in last_line
