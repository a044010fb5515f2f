"""Photo -> recipe inference, free of any web framework.

The whole surface: the recipe schema, the backend protocol and its factory,
the failures a backend reports, `model_resolve` to fetch or build a
checkpoint ahead of time, and the tiny-checkpoint builder for tests.
Importing this package loads neither torch nor transformers; building a
backend does.
"""

from vision.backend import (
    GenerationOptions,
    GenerationRequest,
    VisionBackend,
    VisionConfig,
    backend_create,
    generate_each,
)
from vision.errors import GenerationIncomplete, ModelUnavailable, NotFood, RecipeInvalid, VisionError, VisionTransient
from vision.models import ResolvedModel, model_resolve
from vision.schema import Recipe, recipe_json_schema, recipe_parse
from vision.tiny import tiny_checkpoint_build

__all__ = [
    "GenerationIncomplete",
    "GenerationOptions",
    "GenerationRequest",
    "ModelUnavailable",
    "NotFood",
    "Recipe",
    "RecipeInvalid",
    "ResolvedModel",
    "VisionBackend",
    "VisionConfig",
    "VisionError",
    "VisionTransient",
    "backend_create",
    "generate_each",
    "model_resolve",
    "recipe_json_schema",
    "recipe_parse",
    "tiny_checkpoint_build",
]
