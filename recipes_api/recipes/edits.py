"""A user's corrections to a model's recipe, as pure functions over
`vision.schema.Recipe` dumps.

A top-level field is the user's when its value in `data` (what the user
sees) differs from `original` (the model's latest output). A regeneration
keeps those and takes the new output for the rest (`regenerated`), so an
edit survives any number of regenerations, and a field the user set back
to the model's value follows the model again.
"""

from __future__ import annotations

import copy

from pydantic import ValidationError
from vision import schema

from recipes_api import errors


def merged(data: dict, patch: dict) -> dict:
    """`data` with `patch` applied: objects (`nutrition`) are merged key by
    key, anything else (lists included) is replaced; null is a value."""
    result = copy.deepcopy(data)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def validated(data: dict) -> dict:
    """`data` validated by the recipe schema, as it will be stored. Raises
    `errors.Invalid` with a message per field path ("ingredients.0.name")."""
    try:
        return schema.Recipe.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        details: dict[str, list[str]] = {}
        for problem in error.errors(include_url=False):
            path = ".".join(str(part) for part in problem["loc"]) or "non_field_errors"
            details.setdefault(path, []).append(problem["msg"])
        raise errors.Invalid("The recipe is not valid.", details=details) from None


def edited_fields(data: dict, original: dict) -> list[str]:
    """The top-level fields the user has changed, in the schema's order."""
    return [name for name in schema.Recipe.model_fields if data.get(name) != original.get(name)]


def regenerated(data: dict, original: dict, new: dict) -> dict:
    """What the user sees after a regeneration: their edited fields as they
    left them, every other field from `new`."""
    edited = set(edited_fields(data, original))
    return {name: copy.deepcopy(data[name] if name in edited else new[name]) for name in schema.Recipe.model_fields}
