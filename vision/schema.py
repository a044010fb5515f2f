"""The recipe schema: the one definition of what a recipe is.

The same pydantic models produce the JSON Schema that constrains decoding,
validate what a model wrote, and describe the fields the API serves. Every
string and list is bounded so that constrained decoding always terminates and
one runaway answer cannot fill the database.

All properties are required (optional values are nullable instead): that is
what OpenAI-style strict structured output demands, and it keeps the grammar
small.
"""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vision.errors import RecipeInvalid

__all__ = [
    "Allergen",
    "Course",
    "Diet",
    "LANGUAGE_TAG_PATTERN",
    "Ingredient",
    "Nutrition",
    "Recipe",
    "RecipeInvalid",
    "Source",
    "Step",
    "recipe_json_schema",
    "recipe_parse",
]

# A BCP 47 language tag: "en", "my", "bn-BD", "zh-Hant-TW"; at most 30 characters.
LANGUAGE_TAG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"

# What `recipe_parse` removes from strings before validating them: controls
# (JSON grammars let them through raw) are dropped, then pydantic strips
# whitespace as Python's str.strip() sees it.
_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t") | dict.fromkeys(range(127, 160))
# Python's whitespace all lies below U+3001 (a test scans the rest of Unicode).
_WHITESPACE = [c for c in range(0x3001) if chr(c).isspace()]


def _char_class(code_points: list[int]) -> str:
    """A regex class body for `code_points`, in ranges, e.g. `\\x00-\\x20\\u3000`."""
    spans: list[list[int]] = []
    for c in sorted(set(code_points)):
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    escaped = [f"\\x{c:02x}" if c < 256 else f"\\u{c:04x}" for span in spans for c in span]
    return "".join(a if a == b else f"{a}-{b}" for a, b in zip(escaped[::2], escaped[1::2]))


# The characters a required string may not start with (a regex class body):
# what cleaning drops and stripping removes.
BLANK_CHARACTERS = _char_class([*_CONTROLS, *_WHITESPACE])
_KEPT = f"[^{BLANK_CHARACTERS}]"


def _non_blank(max_length: int) -> str:
    """The pattern of a required string of at most `max_length` characters.

    `min_length=1` alone lets a grammar write "   " or a lone control, which
    validation then strips to nothing and rejects. Starting with a character
    that neither control-dropping nor stripping removes keeps the string
    non-empty; the pattern bounds the length too, as xgrammar ignores
    `maxLength` beside a pattern.
    """
    return f"^{_KEPT}[\\s\\S]{{0,{max_length - 1}}}$"


Minutes = Annotated[int, Field(ge=0, le=10_000)]
Amount = Annotated[float, Field(ge=0, le=100_000)]


class Source(str, Enum):
    DISH_PHOTO = "dish_photo"
    RECIPE_CARD = "recipe_card"


class Course(str, Enum):
    APPETIZER = "appetizer"
    MAIN = "main"
    SIDE = "side"
    SOUP = "soup"
    SALAD = "salad"
    BREAKFAST = "breakfast"
    DESSERT = "dessert"
    SNACK = "snack"
    BREAD = "bread"
    SAUCE = "sauce"
    DRINK = "drink"
    OTHER = "other"


class Diet(str, Enum):
    """Diets, named after schema.org's RestrictedDiet values."""

    DIABETIC = "diabetic"
    GLUTEN_FREE = "gluten_free"
    HALAL = "halal"
    HINDU = "hindu"
    KOSHER = "kosher"
    LOW_CALORIE = "low_calorie"
    LOW_FAT = "low_fat"
    LOW_LACTOSE = "low_lactose"
    LOW_SALT = "low_salt"
    VEGAN = "vegan"
    VEGETARIAN = "vegetarian"


class Allergen(str, Enum):
    """The fourteen allergens that EU food law asks menus to declare."""

    CELERY = "celery"
    CRUSTACEANS = "crustaceans"
    EGGS = "eggs"
    FISH = "fish"
    GLUTEN = "gluten"
    LUPIN = "lupin"
    MILK = "milk"
    MOLLUSCS = "molluscs"
    MUSTARD = "mustard"
    PEANUTS = "peanuts"
    SESAME = "sesame"
    SOY = "soy"
    SULPHITES = "sulphites"
    TREE_NUTS = "tree_nuts"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


class Ingredient(_Strict):
    name: str = Field(min_length=1, max_length=120, pattern=_non_blank(120))
    quantity: Amount | None = Field(description="Amount in `unit`; null when unmeasured.")
    unit: str = Field(max_length=24, description="g, ml, tbsp, cup, piece...; empty if none.")
    note: str = Field(max_length=200, description="Preparation note, e.g. 'finely chopped'.")
    section: str = Field(max_length=60, description="Group such as 'For the sauce'; may be empty.")


class Step(_Strict):
    text: str = Field(min_length=1, max_length=1000, pattern=_non_blank(1000))
    minutes: Minutes | None


class Nutrition(_Strict):
    """Estimated nutrition for one serving."""

    kcal: Amount | None
    protein_g: Amount | None
    fat_g: Amount | None
    carbs_g: Amount | None
    fiber_g: Amount | None
    sugar_g: Amount | None
    sodium_mg: Amount | None


class Recipe(_Strict):
    """A structured recipe as a vision model reads it from one photo."""

    source: Source = Field(description="What the photo shows: a cooked dish or a written recipe.")
    is_food: bool = Field(description="False when the photo shows no food or recipe at all.")
    # The pattern bounds the length (xgrammar ignores max_length beside a pattern).
    language: str = Field(
        pattern=LANGUAGE_TAG_PATTERN, description="BCP 47 tag of the language the recipe is written in."
    )
    title: str = Field(min_length=1, max_length=200, pattern=_non_blank(200))
    description: str = Field(max_length=1000)
    cuisine: str = Field(max_length=60)
    course: Course
    servings: int | None = Field(ge=1, le=1000)
    prep_minutes: Minutes | None
    cook_minutes: Minutes | None
    ingredients: list[Ingredient] = Field(max_length=60)
    steps: list[Step] = Field(max_length=40)
    nutrition: Nutrition
    diets: list[Diet] = Field(max_length=len(Diet))
    allergens: list[Allergen] = Field(max_length=len(Allergen))
    tags: list[Annotated[str, Field(min_length=1, max_length=40, pattern=_non_blank(40))]] = Field(max_length=12)
    confidence: float = Field(ge=0, le=1, description="How sure the model is, 0 to 1.")

    @field_validator("diets", "allergens", "tags")
    @classmethod
    def _drop_repeats(cls, values: list[Any]) -> list[Any]:
        return list(dict.fromkeys(values))


def recipe_json_schema(language: str | None = None, *, non_blank_patterns: bool = True) -> dict[str, Any]:
    """Return the JSON Schema of `Recipe`, the one fed to constrained decoders.

    With `language` (a BCP 47 tag), the `language` field may hold that tag
    and nothing else, so a decoder constrained by it cannot write another.
    Raises ValueError for a tag that `Recipe.language` would refuse.

    With `non_blank_patterns=False`, the required strings keep their length
    bounds but lose the patterns that keep them from being blank: xgrammar
    turns such a pattern's counted repetition into a chain that it walks for
    every token of the vocabulary (about 50 ms a fill at Qwen's 151,936
    tokens, against 3-4 ms for a plain bounded string). `vision.constraint`
    states the same rule its own way; a served model's grammar gets none,
    and a blank answer from it fails validation.
    """
    schema = Recipe.model_json_schema()
    if not non_blank_patterns:
        _non_blank_patterns_drop(schema)
    if language is not None:
        if not re.fullmatch(LANGUAGE_TAG_PATTERN, language):
            raise ValueError(f"not a BCP 47 language tag: {language!r}")
        field = schema["properties"]["language"]
        schema["properties"]["language"] = {"const": language, "type": "string", "description": field["description"]}
    return schema


def _non_blank_patterns_drop(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("pattern") == _non_blank(node.get("maxLength", 0)):
            del node["pattern"]
        for child in node.values():
            _non_blank_patterns_drop(child)
    elif isinstance(node, list):
        for child in node:
            _non_blank_patterns_drop(child)


def recipe_parse(text: str) -> Recipe:
    """Validate a model's JSON answer and return the recipe it describes.

    Control characters inside strings (which JSON grammars tend to let
    through) are dropped, and lone UTF-16 surrogates (an escape such as
    `\\ud83d` without its pair, which JSON allows but no text can hold) become
    U+FFFD, rather than failing the whole answer. Raises `RecipeInvalid` when
    the text is not JSON or breaks the schema.
    """
    try:
        data = json.loads(text, strict=False)
    except ValueError as error:
        raise RecipeInvalid(f"model output is not JSON ({error})") from error
    try:
        return Recipe.model_validate(_cleaned(data))
    except ValidationError as error:
        problems = json.loads(error.json(include_url=False, include_input=False))
        raise RecipeInvalid(f"model output breaks the recipe schema ({error.error_count()} errors)", problems) from error


# One replacement character for one surrogate keeps a string's length, and
# keeps a string of surrogates non-empty, so the grammar's bounds still hold.
_CLEANING = _CONTROLS | dict.fromkeys(range(0xD800, 0xE000), "\ufffd")


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_CLEANING)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value
