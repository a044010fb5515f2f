"""The worker's one door into `vision`: a backend built once per process from
Django settings, and `recipe_from_photo` to use it."""

from __future__ import annotations

import io
import threading

from django.conf import settings
from PIL import Image

from vision import GenerationOptions, Recipe, VisionBackend, VisionConfig, backend_create

_backend: VisionBackend | None = None
_lock = threading.Lock()


def vision_config() -> VisionConfig:
    """The vision configuration the settings describe."""
    return VisionConfig(
        models_dir=settings.VISION_MODELS_DIR,
        backend=settings.VISION_BACKEND,
        model=settings.VISION_MODEL,
        device=settings.VISION_DEVICE,
        dtype=settings.VISION_DTYPE,
        max_new_tokens=settings.VISION_MAX_NEW_TOKENS,
        max_visual_tokens=settings.VISION_MAX_VISUAL_TOKENS,
    )


def backend_get() -> VisionBackend:
    """This process's backend, loading the model on first call."""
    global _backend
    with _lock:
        if _backend is None:
            _backend = backend_create(vision_config())
        return _backend


def recipe_from_photo(photo: bytes, *, mode: str, language: str | None) -> tuple[Recipe, str]:
    """Read one stored photo and return (recipe, id of the model that wrote it).

    Raises `vision.errors.VisionError` when no recipe can be made.
    """
    backend = backend_get()
    with Image.open(io.BytesIO(photo)) as image:
        recipe = backend.generate([image], GenerationOptions(mode=mode, language=language or None))
    return recipe, backend.model_id
