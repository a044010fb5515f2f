"""A recipe as schema.org `Recipe` JSON-LD: what other recipe managers, search
engines and recipe-scrapers import. One function, used by the private
`/jsonld/` route and by the public share page alike."""

from __future__ import annotations

from datetime import datetime

SCHEMA_ORG = "https://schema.org"
# vision.schema.Diet values are named after schema.org's RestrictedDiet.
DIETS = {
    "diabetic": "DiabeticDiet",
    "gluten_free": "GlutenFreeDiet",
    "halal": "HalalDiet",
    "hindu": "HinduDiet",
    "kosher": "KosherDiet",
    "low_calorie": "LowCalorieDiet",
    "low_fat": "LowFatDiet",
    "low_lactose": "LowLactoseDiet",
    "low_salt": "LowSaltDiet",
    "vegan": "VeganDiet",
    "vegetarian": "VegetarianDiet",
}
# (our per-serving field, schema.org property, unit written after the number)
NUTRIENTS = [
    ("kcal", "calories", "kcal"),
    ("protein_g", "proteinContent", "g"),
    ("fat_g", "fatContent", "g"),
    ("carbs_g", "carbohydrateContent", "g"),
    ("fiber_g", "fiberContent", "g"),
    ("sugar_g", "sugarContent", "g"),
    ("sodium_mg", "sodiumContent", "mg"),
]


def recipe_jsonld(data: dict, *, created_at: datetime | None = None, images: list[str] = ()) -> dict:
    """The schema.org `Recipe` for stored recipe `data` (a
    `vision.schema.Recipe` dump). `images` are absolute URLs, cover first.
    Unknown values are left out rather than written as null or zero."""
    prep, cook = data.get("prep_minutes"), data.get("cook_minutes")
    total = (prep or 0) + (cook or 0) if prep is not None or cook is not None else None
    document = {
        "@context": SCHEMA_ORG,
        "@type": "Recipe",
        "name": data["title"],
        "description": data["description"],
        "inLanguage": data["language"],
        "recipeCuisine": data["cuisine"],
        "recipeCategory": data["course"],
        "keywords": ", ".join(data["tags"]),
        "recipeYield": f"{data['servings']} servings" if data.get("servings") else None,
        "prepTime": iso_duration(prep),
        "cookTime": iso_duration(cook),
        "totalTime": iso_duration(total),
        "recipeIngredient": [ingredient_line(item) for item in data["ingredients"]],
        "recipeInstructions": [{"@type": "HowToStep", "position": n, "text": step["text"]}
                               for n, step in enumerate(data["steps"], start=1)],  # fmt: skip
        "nutrition": _nutrition(data["nutrition"]),
        "suitableForDiet": [f"{SCHEMA_ORG}/{DIETS[diet]}" for diet in data["diets"] if diet in DIETS],
        "image": list(images),
        "dateCreated": created_at.isoformat() if created_at else None,
    }
    return {key: value for key, value in document.items() if value not in (None, "", [])}


def iso_duration(minutes: int | None) -> str | None:
    """ISO 8601 duration: 90 -> "PT1H30M", 0 -> "PT0M", None -> None."""
    if minutes is None:
        return None
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")


def ingredient_line(ingredient: dict) -> str:
    """One ingredient as a cook writes it: "400 g tomatoes, chopped"."""
    quantity = ingredient["quantity"]
    amount = "" if quantity is None else f"{quantity:g}"
    words = [amount, ingredient["unit"], ingredient["name"]]
    line = " ".join(word for word in words if word)
    return f"{line}, {ingredient['note']}" if ingredient["note"] else line


def _nutrition(nutrition: dict) -> dict | None:
    facts = {prop: f"{nutrition[field]:g} {unit}" for field, prop, unit in NUTRIENTS if nutrition.get(field) is not None}
    return {"@type": "NutritionInformation", "servingSize": "1 serving", **facts} if facts else None
