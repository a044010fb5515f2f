import pytest

from recipes_api.recipes.cooking import quantity_converted, recipe_converted, recipe_scaled


def test_it_scales_quantities_to_the_servings_asked(a_recipe):
    data = a_recipe().model_dump(mode="json")  # serves 2: 4 eggs, 400 g tomatoes

    scaled = recipe_scaled(data, 3)

    assert scaled["servings"] == 3
    assert [item["quantity"] for item in scaled["ingredients"]] == [6, 600]
    assert scaled["nutrition"] == data["nutrition"]  # per serving: unchanged


def test_it_leaves_unmeasured_ingredients_alone_when_scaling(a_recipe):
    data = a_recipe(ingredients=[{"name": "salt", "quantity": None, "unit": "", "note": "to taste", "section": ""}])
    scaled = recipe_scaled(data.model_dump(mode="json"), 4)
    assert scaled["ingredients"][0]["quantity"] is None


def test_it_never_changes_the_recipe_it_is_given(a_recipe):
    data = a_recipe().model_dump(mode="json")
    before = repr(data)

    recipe_scaled(data, 5)
    recipe_converted(data, "us")

    assert repr(data) == before


@pytest.mark.parametrize(
    "quantity, unit, system, expected",
    [
        (400, "g", "us", (14.0, "oz")),
        (2, "kg", "us", (4.41, "lb")),
        (1, "lb", "metric", (454.0, "g")),
        (1, "cup", "metric", (237.0, "ml")),
        (2, "Tbsp", "metric", (30.0, "ml")),
        (1, "T", "metric", (15.0, "ml")),
        (8, "fl oz", "metric", (237.0, "ml")),
        (1500, "ml", "metric", (1500, "ml")),  # already metric: as written
        (500, "ml", "us", (2.11, "cup")),
        (10, "ml", "us", (2.03, "tsp")),
        (30, "ml", "us", (2.03, "tbsp")),
        (2500, "g", "metric", (2500, "g")),
        (3, "lb", "us", (3, "lb")),
        (40, "oz", "metric", (1.13, "kg")),
    ],
)
def test_it_converts_masses_and_volumes(quantity, unit, system, expected):
    assert quantity_converted(quantity, unit, system) == expected


@pytest.mark.parametrize("unit", ["pinch", "piece", "cloves", "c.", "", "handful", "গ্রাম", "stick"])
def test_it_passes_what_is_no_mass_or_volume_through_unchanged(unit):
    # pint alone reads "pinch" as a pico-inch: only masses and volumes convert.
    if unit == "c.":
        assert quantity_converted(1, unit, "metric") == (237.0, "ml")  # "c." is a cup
        return
    assert quantity_converted(2, unit, "us") == (2, unit)
    assert quantity_converted(2, unit, "metric") == (2, unit)


def test_it_keeps_a_trace_as_written_rather_than_zero():
    assert quantity_converted(5, "mg", "us") == (5, "mg")
