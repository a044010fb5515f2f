"""The labelled evaluation set in fixtures/eval/: recipe-card images and the
recipes they show (labels.json, drawn by fixtures/eval/render.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from vision.schema import Recipe

LABELS = Path(__file__).resolve().parents[1] / "fixtures" / "eval" / "labels.json"


@dataclass(frozen=True)
class EvalItem:
    """One image and the recipe it shows, written in `language`."""

    id: str
    image: Path
    language: str
    layout: str
    font: str
    recipe: Recipe


def eval_set_load(labels: Path = LABELS) -> list[EvalItem]:
    """Every item of the set, labels validated against the recipe schema.

    Raises pydantic's ValidationError for a label that is not a valid recipe,
    and ValueError when an item's language tag and its recipe's disagree.
    """
    items = []
    for entry in json.loads(labels.read_text(encoding="utf-8"))["items"]:
        recipe = Recipe.model_validate(entry["recipe"])
        if recipe.language != entry["language"]:
            raise ValueError(f"{entry['id']}: language {entry['language']!r} but recipe says {recipe.language!r}")
        items.append(
            EvalItem(
                id=entry["id"],
                image=(labels.parent / entry["image"]).resolve(),
                language=entry["language"],
                layout=entry["layout"],
                font=entry["font"],
                recipe=recipe,
            )
        )
    return items
