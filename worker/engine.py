"""The worker's one door into `vision`: a backend built once per process from
Django settings, and `recipes_from_photos` to use it on a batch of jobs (or
`recipe_from_photos` on one), with one retry."""

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
    GenerationRequest,
    NotFood,
    Recipe,
    RecipeInvalid,
    VisionBackend,
    VisionConfig,
    VisionError,
    backend_create,
    generate_each,
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
        openai_base_url=settings.OPENAI_BASE_URL,
        openai_api_key=settings.OPENAI_API_KEY,
        openai_max_retries=settings.OPENAI_MAX_RETRIES,
        openai_pixels_per_token=settings.OPENAI_PIXELS_PER_TOKEN,
        timeout_seconds=settings.OPENAI_TIMEOUT_SECONDS,
        concurrency=settings.VISION_CONCURRENCY,
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


@dataclass(frozen=True)
class RecipeRequest:
    """The photos of one recipe (pages or angles, in order) and how to read
    them, for `recipes_from_photos`: one job's share of a batch."""

    photos: Sequence[bytes]
    mode: str
    language: str | None
    on_token: Callable[[int], None] | None = None


def batch_size() -> int:
    """How many jobs this process's backend reads at once (1 for a backend
    that does not say)."""
    return max(1, getattr(backend_get(), "batch_size", 1) or 1)


def recipe_from_photos(
    photos: Sequence[bytes],
    *,
    mode: str,
    language: str | None,
    on_token: Callable[[int], None] | None = None,
    backend: VisionBackend | None = None,
) -> RecipeRead:
    """Read the photos of one recipe and return what the model made of them:
    `recipes_from_photos` for one request, its failure raised.

    Raises `vision.errors.VisionError` when no recipe can be made, its
    `tries` set to the generations run; `NotFood` included.
    """
    (result,) = recipes_from_photos(
        [RecipeRequest(photos, mode=mode, language=language, on_token=on_token)], backend=backend
    )
    if isinstance(result, VisionError):
        raise result
    return result


def recipes_from_photos(
    requests: Sequence[RecipeRequest], *, backend: VisionBackend | None = None
) -> list[RecipeRead | VisionError]:
    """Read several recipes as one batch (one `generate_batch` call), and
    return one result per request, in order: what the model made of it, or
    the `VisionError` it met, its `tries` set to the generations run.

    The first generation decodes greedily. An answer that did not finish
    within the budget or broke the schema (`GenerationIncomplete`,
    `RecipeInvalid`) is tried once more, sampling with a fresh random seed
    of its own; those retries go together as a second batch, and nothing
    else is retried. An answer without food (`NotFood`) must never reach a
    library. `language` (a BCP 47 tag), when given, is the recipe's
    `language`. Each request's `on_token(tokens_so_far)` is called at each of
    its decoding steps (counting from 0 again on a retry); what it raises
    stops the whole batch and propagates, as does any failure that is not a
    `VisionError`. `backend` defaults to this process's; one without
    `generate_batch` is asked one request at a time.
    """
    if any(not request.photos for request in requests):
        raise ValueError("recipes_from_photos needs at least one photo per request")
    backend = backend or backend_get()
    # The budget is read per call, so a changed setting applies without a new backend.
    options = [
        GenerationOptions(
            mode=request.mode,
            language=request.language or None,
            on_token=request.on_token,
            max_new_tokens=settings.VISION_MAX_NEW_TOKENS,
        )
        for request in requests
    ]
    with ExitStack() as stack:
        images = [[stack.enter_context(Image.open(io.BytesIO(photo))) for photo in r.photos] for r in requests]
        results = _read(backend, images, options, tries=1)
        again = [i for i, result in enumerate(results) if isinstance(result, RETRIED)]
        if again:
            codes = ", ".join(results[i].code for i in again)
            logger.warning("%d of %d generations gave no recipe (%s); sampling once more", len(again), len(results), codes)
            retries = [
                dataclasses.replace(options[i], temperature=RETRY_TEMPERATURE, seed=secrets.randbelow(2**31))
                for i in again
            ]
            for i, result in zip(again, _read(backend, [images[i] for i in again], retries, tries=2), strict=True):
                results[i] = result
    return results


def _read(
    backend: VisionBackend, images: list[list[Image.Image]], options: list[GenerationOptions], *, tries: int
) -> list[RecipeRead | VisionError]:
    requests = [GenerationRequest(images=i, options=o) for i, o in zip(images, options, strict=True)]
    generate_batch = getattr(backend, "generate_batch", None)
    answers = generate_batch(requests) if generate_batch else generate_each(backend, requests)
    if len(answers) != len(requests):
        raise RuntimeError(f"the backend gave {len(answers)} answers to {len(requests)} requests")
    results: list[RecipeRead | VisionError] = []
    for answer, option in zip(answers, options, strict=True):
        if not isinstance(answer, VisionError):
            try:
                recipe_check_food(answer, mode=option.mode)
                answer = RecipeRead(answer, backend.model_id, tries)
            except NotFood as error:
                answer = error
        if isinstance(answer, VisionError):
            answer.tries = tries
        results.append(answer)
    return results


def recipe_check_food(recipe: Recipe, *, mode: str) -> None:
    """Raise `NotFood` unless the answer describes food: the model said the
    photo shows none, or a recipe card yielded neither ingredients nor steps.
    One rule for every backend, so it lives here, at the door to vision."""
    if not recipe.is_food:
        raise NotFood("the model found no food in the photo")
    if mode == "recipe_card" and not recipe.ingredients and not recipe.steps:
        raise NotFood("the model found no recipe on the card")
