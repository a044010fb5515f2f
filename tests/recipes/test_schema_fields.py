"""The serializer fields are the recipe schema's, not a retyped copy."""

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field
from rest_framework import serializers
from vision import schema

from recipes_api.recipes.schema_fields import schema_fields, schema_serializer


def recipe_input_serializer():
    """The recipe fields as they would validate a client's edit."""
    return type("RecipeInput", (serializers.Serializer,), schema_fields(schema.Recipe))


def test_it_accepts_a_valid_recipe(a_recipe):
    data = a_recipe().model_dump(mode="json")

    serializer = recipe_input_serializer()(data=data)

    assert serializer.is_valid(), serializer.errors
    assert schema.Recipe.model_validate(serializer.validated_data) == a_recipe()


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", ""),
        ("title", "x" * 201),
        ("language", "english"),
        ("course", "elevenses"),
        ("servings", 0),
        ("confidence", 1.5),
        ("tags", ["t"] * 13),
        ("tags", [""]),
        ("diets", ["carnivore"]),
        ("ingredients", [{"name": "", "quantity": 1, "unit": "", "note": "", "section": ""}]),
        ("steps", [{"text": "Stir.", "minutes": -1}]),
        ("nutrition", {"kcal": -5}),
    ],
)
def test_it_rejects_what_the_schema_rejects(a_recipe, field, value):
    data = a_recipe().model_dump(mode="json") | {field: value}

    serializer = recipe_input_serializer()(data=data)

    assert not serializer.is_valid()
    assert field in serializer.errors


def test_it_allows_null_where_the_schema_does(a_recipe):
    data = a_recipe().model_dump(mode="json") | {"servings": None, "prep_minutes": None}

    assert recipe_input_serializer()(data=data).is_valid()


def test_it_builds_one_serializer_per_nested_model():
    assert schema_serializer(schema.Ingredient) is schema_serializer(schema.Ingredient)
    assert schema_serializer(schema.Ingredient).__name__ == "IngredientSerializer"


def test_it_maps_literals_and_plain_models():
    class Tasting(BaseModel):
        verdict: Literal["yum", "meh"]
        notes: list[Annotated[str, Field(max_length=5)]]

    fields = schema_fields(Tasting)

    assert list(fields["verdict"].choices) == ["yum", "meh"]
    assert fields["notes"].child.max_length == 5


def test_it_refuses_a_shape_it_cannot_map():
    class Odd(BaseModel):
        either: int | str

    with pytest.raises(TypeError):
        schema_fields(Odd)


def test_it_refuses_a_constraint_it_cannot_map():
    class Odd(BaseModel):
        count: int = Field(gt=0)

    with pytest.raises(TypeError):
        schema_fields(Odd)
