"""Prompts, kept as text files beside this module so they can be read and
reviewed as prose. `prompt_messages` assembles them into chat messages."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

from vision.languages import language_describe

HERE = Path(__file__).resolve().parent
MODES = ("auto", "dish_photo", "recipe_card")


@cache
def prompt_text(name: str) -> str:
    """The prompt file `name`.txt, stripped."""
    return (HERE / f"{name}.txt").read_text(encoding="utf-8").strip()


def prompt_messages(*, mode: str, language: str | None, image_count: int) -> list[dict]:
    """Chat messages asking for a recipe from `image_count` images.

    `mode` is one of MODES; `language` a BCP 47 tag, named in words as well
    ("Burmese (my)", see `vision.languages`), or None to let the model
    follow the photo.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
    if language:
        template = Template(prompt_text("language"))
        language_line = template.substitute(language=language_describe(language), tag=language)
    else:
        language_line = prompt_text("language_auto")
    content = [{"type": "image"} for _ in range(image_count)]
    content.append({"type": "text", "text": f"{prompt_text(mode)}\n{language_line}"})
    return [
        {"role": "system", "content": [{"type": "text", "text": prompt_text("system")}]},
        {"role": "user", "content": content},
    ]
