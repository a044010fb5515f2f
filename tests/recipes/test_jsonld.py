from datetime import UTC, datetime

from recipes_api.recipes.jsonld import ingredient_line, iso_duration, recipe_jsonld


def test_it_writes_a_schema_org_recipe(a_recipe):
    data = a_recipe().model_dump(mode="json")

    document = recipe_jsonld(data, created_at=datetime(2026, 11, 30, tzinfo=UTC), images=["https://x.test/a.jpg"])

    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "Recipe"
    assert document["name"] == "Shakshuka"
    assert document["inLanguage"] == "en"
    assert (document["prepTime"], document["cookTime"], document["totalTime"]) == ("PT10M", "PT20M", "PT30M")
    assert document["recipeYield"] == "2 servings"
    assert document["recipeIngredient"] == ["4 piece eggs", "400 g tomatoes, chopped"]
    assert document["recipeInstructions"] == [
        {"@type": "HowToStep", "position": 1, "text": "Simmer the tomatoes with the spices."},
        {"@type": "HowToStep", "position": 2, "text": "Crack in the eggs and cover until set."},
    ]
    assert document["nutrition"] == {
        "@type": "NutritionInformation", "servingSize": "1 serving", "calories": "320 kcal",
        "proteinContent": "18 g", "fatContent": "20 g", "carbohydrateContent": "16 g",
        "fiberContent": "4 g", "sugarContent": "9 g",
    }  # fmt: skip
    assert document["suitableForDiet"] == ["https://schema.org/VegetarianDiet"]
    assert document["image"] == ["https://x.test/a.jpg"]
    assert document["dateCreated"] == "2026-11-30T00:00:00+00:00"


def test_it_leaves_out_what_is_unknown(a_recipe):
    nutrition = dict.fromkeys(["kcal", "protein_g", "fat_g", "carbs_g", "fiber_g", "sugar_g", "sodium_mg"])
    data = a_recipe(servings=None, prep_minutes=None, cook_minutes=None, nutrition=nutrition, diets=[], tags=[])

    document = recipe_jsonld(data.model_dump(mode="json"))

    for absent in ("recipeYield", "prepTime", "cookTime", "totalTime", "nutrition", "suitableForDiet", "image", "keywords"):
        assert absent not in document


def test_it_writes_iso_8601_durations():
    assert [iso_duration(m) for m in (0, 5, 60, 90, 600)] == ["PT0M", "PT5M", "PT1H", "PT1H30M", "PT10H"]
    assert iso_duration(None) is None


def test_it_writes_ingredients_as_a_cook_would():
    item = {"name": "flour", "quantity": 2.5, "unit": "cup", "note": "sifted", "section": ""}
    assert ingredient_line(item) == "2.5 cup flour, sifted"
    assert ingredient_line(item | {"quantity": None, "unit": "", "note": ""}) == "flour"
