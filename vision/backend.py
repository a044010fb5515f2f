"""The one protocol every vision backend speaks, and the factory that picks one.

Configuration is passed in explicitly (no settings module is read here), and
heavy imports such as torch happen only when the chosen backend is built.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image

from vision.errors import VisionError
from vision.schema import Recipe


@dataclass(frozen=True)
class VisionConfig:
    """How to build a backend. `model` is a hub id, a local path, or "tiny".

    torch_threads bounds the CPU threads torch uses in this process (None:
    torch's own choice, one per core), so that workers sharing a machine do
    not each claim every core.

    batch_size is how many requests one `generate_batch` call should carry
    at most (None: 1 on a CPU, 8 on CUDA); a backend exposes the resolved
    figure as its `batch_size`. fast_path picks how the transformers
    backend decodes: "off" (transformers' usual dynamic cache), "static" (a
    static KV cache and a compiled forward pass, CUDA only) or
    "static-eager" (the static cache alone); where one cannot run, the
    backend logs a warning and decodes as usual.

    The `openai` backend reads the openai_* fields: the server's URL and key,
    its `timeout_seconds` (per read of a streamed answer) and retries, the
    pixels one visual token covers on the served model (28x28 for Qwen2-VL
    and Qwen2.5-VL, 32x32 for Qwen3-VL), and `concurrency`, the requests it
    keeps in flight at once.
    """

    models_dir: Path
    backend: str = "transformers"
    model: str = "tiny"
    device: str = "auto"
    dtype: str = "auto"
    max_new_tokens: int = 2048
    max_visual_tokens: int = 1024
    torch_threads: int | None = None
    batch_size: int | None = None
    fast_path: str = "off"
    openai_base_url: str = "http://127.0.0.1:8001/v1"
    openai_api_key: str = ""
    openai_max_retries: int = 3
    openai_pixels_per_token: int = 28 * 28
    timeout_seconds: float = 60.0
    concurrency: int = 8


def batch_size_resolve(requested: int | None, device: str) -> int:
    """How many requests a backend on `device` ("cpu", "cuda", ...) decodes in
    one call: `requested` when set, else 8 on CUDA (where a batch is almost
    free) and 1 elsewhere (where rows would only take turns on the cores)."""
    if requested:
        return max(1, requested)
    return 8 if str(device).startswith("cuda") else 1


@dataclass(frozen=True)
class GenerationOptions:
    """What one request asks of the model.

    mode: "auto", "dish_photo" or "recipe_card". language: BCP 47 tag, which
    the answer's `language` field then holds (pinned while decoding, not
    edited after), or None (follow the photo). temperature 0 decodes
    greedily; seed makes sampling repeatable. max_new_tokens overrides the
    backend's budget.

    on_token, when given, is called with the number of tokens generated so
    far, once per decoding step. It is how a caller follows progress and how
    it stops a generation: whatever it raises ends `generate()` at once and
    propagates unchanged. In a batch each request's on_token counts its own
    row's tokens, and what one raises ends the whole `generate_batch` call.
    """

    mode: str = "auto"
    language: str | None = None
    temperature: float = 0.0
    seed: int | None = None
    max_new_tokens: int | None = None
    on_token: Callable[[int], None] | None = None


@dataclass(frozen=True)
class GenerationRequest:
    """One recipe asked of a batch: its photos (one or more) and options."""

    images: Sequence[Image.Image]
    options: GenerationOptions


class VisionBackend(Protocol):
    """Turns photos into a schema-valid `Recipe`.

    batch_size is the most requests a `generate_batch` call should carry.
    """

    model_id: str
    batch_size: int

    def generate(self, images: Sequence[Image.Image], options: GenerationOptions) -> Recipe:
        """Read `images` and return a recipe, or raise a `vision.errors.VisionError`."""
        ...

    def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Recipe | VisionError]:
        """One result per request, in order: its recipe, or the `VisionError`
        that request failed with (`GenerationIncomplete`, `RecipeInvalid`...),
        returned in its slot, not raised. What concerns the whole call (a
        model failure, CUDA running out of memory, an `on_token` raising)
        raises, and no result is returned."""
        ...


def generate_each(backend: VisionBackend, requests: Sequence[GenerationRequest]) -> list[Recipe | VisionError]:
    """`generate_batch` for a backend that does not batch: `backend.generate`
    once per request, in order, each `VisionError` kept in its slot."""
    results: list[Recipe | VisionError] = []
    for request in requests:
        try:
            results.append(backend.generate(request.images, request.options))
        except VisionError as error:
            results.append(error)
    return results


def backend_create(config: VisionConfig) -> VisionBackend:
    """Build the backend `config.backend` names, loading its model now.

    `config.backend` is "transformers", "openai" (a served model: nothing
    is loaded here, the server is checked instead), or "package.module:Class"
    for a backend of one's own: a class taking the `VisionConfig`.
    """
    if config.backend == "transformers":
        from vision.transformers_backend import TransformersBackend

        return TransformersBackend(config)
    if config.backend == "openai":
        from vision.openai_backend import OpenAIBackend

        return OpenAIBackend(config)
    if ":" in config.backend:
        module_name, _, class_name = config.backend.partition(":")
        return getattr(importlib.import_module(module_name), class_name)(config)
    raise ValueError(f"unknown vision backend {config.backend!r}; expected 'transformers', 'openai' or 'module:Class'")
