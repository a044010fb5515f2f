"""The worker's one door into `vision`: a backend built once per process from
Django settings, and `recipe_from_photo` to use it."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

from django.conf import settings
from PIL import Image

from vision import GenerationOptions, NotFood, Recipe, VisionBackend, VisionConfig, backend_create

_backend: VisionBackend | None = None
_lock = threading.Lock()


def backend_loaded() -> VisionBackend | None:
    """This process's backend if it has been built, without building it."""
    return _backend


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
        torch_threads=settings.VISION_TORCH_THREADS,
    )


def backend_get() -> VisionBackend:
    """This process's backend, loading the model on first call."""
    global _backend
    with _lock:
        if _backend is None:
            _backend = backend_create(vision_config())
        return _backend


def recipe_from_photo(
    photo: bytes, *, mode: str, language: str | None, on_token: Callable[[int], None] | None = None
) -> tuple[Recipe, str]:
    """Read one stored photo and return (recipe, id of the model that wrote it).

    `on_token(tokens_so_far)` is called at each decoding step; what it raises
    stops the generation and propagates. Raises `vision.errors.VisionError`
    when no recipe can be made, `NotFood` included: the model saw no food, or
    no recipe on a recipe card. Such an answer must never reach a library.
    """
    backend = backend_get()
    options = GenerationOptions(mode=mode, language=language or None, on_token=on_token)
    with Image.open(io.BytesIO(photo)) as image:
        recipe = backend.generate([image], options)
    recipe_check_food(recipe, mode=mode)
    return recipe, backend.model_id


def recipe_check_food(recipe: Recipe, *, mode: str) -> None:
    """Raise `NotFood` unless the answer describes food: the model said the
    photo shows none, or a recipe card yielded neither ingredients nor steps.
    One rule for every backend, so it lives here, at the door to vision."""
    if not recipe.is_food:
        raise NotFood("the model found no food in the photo")
    if mode == "recipe_card" and not recipe.ingredients and not recipe.steps:
        raise NotFood("the model found no recipe on the card")
