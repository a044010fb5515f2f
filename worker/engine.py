"""The worker's one door into `vision`: a backend built once per process from
Django settings, and `recipe_from_photos` to use it, with one retry."""

from __future__ import annotations

import dataclasses
import io
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from django.conf import settings
from PIL import Image

from vision import (
    GenerationIncomplete,
    GenerationOptions,
    NotFood,
    Recipe,
    RecipeInvalid,
    VisionBackend,
    VisionConfig,
    VisionError,
    backend_create,
)

logger = logging.getLogger(__name__)

# An answer that ran out of budget or broke the schema is tried once more,
# sampling: a greedy decode would only repeat itself.
RETRIED = (GenerationIncomplete, RecipeInvalid)
RETRY_TEMPERATURE = 0.7

_backend: VisionBackend | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class RecipeRead:
    """What `recipe_from_photos` returns: the recipe, the id of the model that
    wrote it, and how many generations it took (2: the first was retried)."""

    recipe: Recipe
    model_id: str
    tries: int


def backend_loaded() -> VisionBackend | None:
    """This process's backend if it has been built, without building it."""
    return _backend


def vision_config(**overrides) -> VisionConfig:
    """The vision configuration the settings describe, with `overrides`
    (VisionConfig fields such as model= or device=) taking precedence."""
    config = VisionConfig(
        models_dir=settings.VISION_MODELS_DIR,
        backend=settings.VISION_BACKEND,
        model=settings.VISION_MODEL,
        device=settings.VISION_DEVICE,
        dtype=settings.VISION_DTYPE,
        max_new_tokens=settings.VISION_MAX_NEW_TOKENS,
        max_visual_tokens=settings.VISION_MAX_VISUAL_TOKENS,
        torch_threads=settings.VISION_TORCH_THREADS,
        batch_size=settings.VISION_BATCH_SIZE,
        fast_path=settings.VISION_FAST_PATH,
    )
    return dataclasses.replace(config, **overrides)


def backend_get() -> VisionBackend:
    """This process's backend, loading the model on first call."""
    global _backend
    with _lock:
        if _backend is None:
            _backend = backend_create(vision_config())
        return _backend


def recipe_from_photos(
    photos: Sequence[bytes],
    *,
    mode: str,
    language: str | None,
    on_token: Callable[[int], None] | None = None,
    backend: VisionBackend | None = None,
) -> RecipeRead:
    """Read the photos of one recipe (pages or angles, in order) and return
    what the model made of them.

    The first generation decodes greedily. An answer that did not finish
    within the budget or broke the schema (`GenerationIncomplete`,
    `RecipeInvalid`) is tried once more, sampling with a fresh random seed;
    nothing else is retried. `language` (a BCP 47 tag), when given, is the
    recipe's `language`. `on_token(tokens_so_far)` is called at each decoding
    step (counting from 0 again on a retry); what it raises stops the
    generation and propagates. `backend` defaults to this process's.

    Raises `vision.errors.VisionError` when no recipe can be made, its
    `tries` set to the generations run; `NotFood` included: the model saw no
    food, or no recipe on a recipe card. Such an answer must never reach a
    library.
    """
    if not photos:
        raise ValueError("recipe_from_photos needs at least one photo")
    backend = backend or backend_get()
    # The budget is read per call, so a changed setting applies without a new backend.
    options = GenerationOptions(
        mode=mode, language=language or None, on_token=on_token, max_new_tokens=settings.VISION_MAX_NEW_TOKENS
    )
    with ExitStack() as stack:
        images = [stack.enter_context(Image.open(io.BytesIO(photo))) for photo in photos]
        try:
            return _read(backend, images, options, tries=1)
        except RETRIED as error:
            logger.warning("the first generation gave no recipe (%s); sampling once more", error.code)
        retry = dataclasses.replace(options, temperature=RETRY_TEMPERATURE, seed=secrets.randbelow(2**31))
        return _read(backend, images, retry, tries=2)


def _read(backend: VisionBackend, images: list[Image.Image], options: GenerationOptions, *, tries: int) -> RecipeRead:
    try:
        recipe = backend.generate(images, options)
        recipe_check_food(recipe, mode=options.mode)
    except VisionError as error:
        error.tries = tries
        raise
    return RecipeRead(recipe, backend.model_id, tries)


def recipe_check_food(recipe: Recipe, *, mode: str) -> None:
    """Raise `NotFood` unless the answer describes food: the model said the
    photo shows none, or a recipe card yielded neither ingredients nor steps.
    One rule for every backend, so it lives here, at the door to vision."""
    if not recipe.is_food:
        raise NotFood("the model found no food in the photo")
    if mode == "recipe_card" and not recipe.ingredients and not recipe.steps:
        raise NotFood("the model found no recipe on the card")
