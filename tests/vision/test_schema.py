import json
import sys

import pytest

from vision.errors import RecipeInvalid
from vision.schema import LANGUAGE_TAG_PATTERN, Recipe, recipe_json_schema, recipe_parse

VALID = {
    "source": "dish_photo",
    "is_food": True,
    "language": "en",
    "title": "Chicken curry",
    "description": "A mild curry.",
    "cuisine": "Indian",
    "course": "main",
    "servings": 4,
    "prep_minutes": 15,
    "cook_minutes": 30,
    "ingredients": [
        {"name": "chicken thigh", "quantity": 600, "unit": "g", "note": "diced", "section": ""},
        {"name": "salt", "quantity": None, "unit": "", "note": "to taste", "section": ""},
    ],
    "steps": [{"text": "Fry the onion.", "minutes": 5}, {"text": "Simmer.", "minutes": None}],
    "nutrition": {
        "kcal": 520,
        "protein_g": 38,
        "fat_g": 24,
        "carbs_g": 30,
        "fiber_g": 4,
        "sugar_g": 6,
        "sodium_mg": 800,
    },
    "diets": ["gluten_free", "gluten_free"],
    "allergens": ["milk"],
    "tags": ["curry", "weeknight"],
    "confidence": 0.8,
}


def _walk(schema, defs):
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    yield schema
    for option in schema.get("anyOf", []):
        yield from _walk(option, defs)
    for child in schema.get("properties", {}).values():
        yield from _walk(child, defs)
    if "items" in schema:
        yield from _walk(schema["items"], defs)


def test_it_bounds_every_string_and_list_so_decoding_ends():
    schema = recipe_json_schema()
    nodes = list(_walk(schema, schema["$defs"]))
    strings = [node for node in nodes if node.get("type") == "string" and "enum" not in node]
    arrays = [node for node in nodes if node.get("type") == "array"]
    assert strings and arrays
    assert all("maxLength" in node or node["pattern"].endswith("}$") for node in strings)
    assert all("maxItems" in node for node in arrays)


def test_the_schema_for_served_grammars_keeps_the_bounds_but_not_the_counted_patterns():
    schema = recipe_json_schema(non_blank_patterns=False)
    strings = [node for node in _walk(schema, schema["$defs"]) if node.get("type") == "string" and "enum" not in node]
    assert all("maxLength" in node or node["pattern"] == LANGUAGE_TAG_PATTERN for node in strings)
    assert not [node["pattern"] for node in strings if "[\\s\\S]" in node.get("pattern", "")]
    full = recipe_json_schema()
    assert [node for node in _walk(full, full["$defs"]) if "[\\s\\S]" in node.get("pattern", "")]


def test_it_requires_every_property_and_forbids_extras():
    schema = recipe_json_schema()
    objects = [node for node in _walk(schema, schema["$defs"]) if node.get("type") == "object"]
    assert len(objects) >= 4
    for node in objects:
        assert set(node["required"]) == set(node["properties"])
        assert node["additionalProperties"] is False


def test_it_parses_a_valid_answer():
    recipe = recipe_parse(json.dumps(VALID))
    assert recipe.title == "Chicken curry"
    assert recipe.ingredients[1].quantity is None
    assert recipe.diets == ["gluten_free"]  # repeats dropped


def test_it_drops_control_characters_from_strings():
    answer = json.dumps(VALID).replace("A mild curry.", "A mild\\u0007 curry.")
    assert recipe_parse(answer).description == "A mild curry."


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"course": "brunch"},
        {"confidence": 1.5},
        {"language": "not a tag"},
        {"extra": 1},
        {"servings": 0},
    ],
)
def test_it_rejects_answers_that_break_the_schema(change):
    with pytest.raises(RecipeInvalid) as caught:
        recipe_parse(json.dumps(VALID | change))
    assert caught.value.errors


def test_it_rejects_text_that_is_not_json():
    with pytest.raises(RecipeInvalid):
        recipe_parse('{"title": ')


def test_it_round_trips_through_json():
    recipe = Recipe.model_validate(VALID)
    assert recipe_parse(recipe.model_dump_json()) == recipe


def test_it_turns_a_lone_surrogate_into_a_replacement_character():
    answer = json.dumps(VALID | {"title": "x", "tags": ["x"]})
    answer = answer.replace('"title": "x"', '"title": "\\ud83d"').replace('["x"]', '["a\\udc00b"]')
    recipe = recipe_parse(answer)
    assert recipe.title == "\ufffd"
    assert recipe.tags == ["a\ufffdb"]


def test_it_keeps_a_surrogate_pair_as_the_character_it_spells():
    assert recipe_parse(json.dumps(VALID | {"title": "Curry \U0001f35b"})).title == "Curry \U0001f35b"


@pytest.mark.parametrize("blank", [" ", "\t", "\x01", "\x85", "\xa0", "\u3000"])
def test_it_rejects_a_title_that_is_blank_once_cleaned(blank):
    with pytest.raises(RecipeInvalid):
        recipe_parse(json.dumps(VALID | {"title": blank * 3}))


def test_it_knows_every_whitespace_character_python_strips():
    # The grammar's "first character of a required string" class is built
    # from whitespace below U+3001; nothing above it may be whitespace.
    assert not [c for c in range(0x3001, sys.maxunicode + 1) if chr(c).isspace()]
