"""Full-text search on each database: `make test` runs these on SQLite
(FTS5) and again on PostgreSQL (text search configurations)."""

import pytest
from django.db import connection

from recipes_api.recipes.models import Recipe
from recipes_api.recipes.search import _owner_configs, search_config
from recipes_api.recipes.selectors import recipe_list
from recipes_api.recipes.services import recipe_create, recipe_edit

pytestmark = pytest.mark.services

BURMESE = {
    "language": "my",
    "title": "ကြက်သား ဟင်း",  # chicken curry
    "description": "မြန်မာ ဟင်း",
    "ingredients": [{"name": "ကြက်သား", "quantity": 500, "unit": "g", "note": "", "section": ""}],
    "steps": [{"text": "ကြက်သား ကို ချက်ပါ", "minutes": 30}],
}
BENGALI = {
    "language": "bn",
    "title": "মাছের ঝোল",  # fish curry
    "description": "বাংলা রান্না",
    "ingredients": [{"name": "মাছ", "quantity": 500, "unit": "g", "note": "", "section": ""}],
    "steps": [{"text": "মাছ ভাজুন", "minutes": 10}],
}


@pytest.fixture
def library(alice, a_recipe):
    def save(**changes) -> Recipe:
        return recipe_create(owner=alice, photo=None, recipe=a_recipe(**changes), model_id="tiny")

    return {
        "english": save(title="Tomato soup", description="Simple and red.", ingredients=[
            {"name": "tomato", "quantity": 6, "unit": "piece", "note": "", "section": ""}]),
        "burmese": save(**BURMESE),
        "bengali": save(**BENGALI),
    }  # fmt: skip


def found(owner, query) -> list[str]:
    return [row["title"] for row in recipe_list(owner=owner, search=query)]


def test_it_maps_languages_to_postgres_configurations():
    assert search_config("en") == search_config("en-GB") == "english"
    assert search_config("fr-CA") == "french"
    assert search_config("de") == "german"
    assert search_config("es") == "spanish"
    for language in ("my", "bn", "ur", "zh-Hant-TW"):
        assert search_config(language) == "simple"


def test_it_finds_an_english_recipe_through_stemming(alice, library):
    assert found(alice, "tomatoes") == ["Tomato soup"]


def test_it_finds_a_burmese_recipe(alice, library):
    assert found(alice, "ကြက်သား") == [BURMESE["title"]]


def test_it_finds_a_bengali_recipe(alice, library):
    assert found(alice, "মাছ") == [BENGALI["title"]]


def test_it_stores_each_recipe_in_its_languages_configuration(library):
    configs = {name: recipe.search_config for name, recipe in library.items()}

    assert configs == {"english": "english", "burmese": "simple", "bengali": "simple"}


def test_it_keeps_the_index_current_after_an_edit(alice, library):
    recipe_edit(recipe=library["bengali"], changes={"title": "Tomato fish curry"})

    assert sorted(found(alice, "tomato")) == ["Tomato fish curry", "Tomato soup"]
    assert found(alice, "ঝোল") == []


def test_it_ranks_a_title_match_above_a_description_match(alice, a_recipe):
    def save(title, description):
        recipe = a_recipe(title=title, description=description, ingredients=[], steps=[])
        recipe_create(owner=alice, photo=None, recipe=recipe, model_id="t")

    # The same words, in other fields (SQLite's bm25 weighs a document's whole length).
    save("Stew", "A tomato stew.")
    save("Tomato stew", "A stew.")
    for title in ("Rice", "Bread", "Pancakes", "Dal", "Noodles"):  # so that "tomato" is a rare word
        save(title, "Plain.")

    assert found(alice, "tomato") == ["Tomato stew", "Stew"]


def test_it_uses_the_postgres_index(alice, library):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'recipe_search_vector'")
        (definition,) = cursor.fetchone()
    assert "gin (search_vector)" in definition
    # New entries go into the index at once: no pending list for every search to read.
    assert "WITH (fastupdate=off)" in definition


def test_it_reads_which_configurations_a_library_uses_per_owner(alice, bob, library, a_recipe):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's configurations")
    recipe_create(owner=bob, photo=None, recipe=a_recipe(language="de", title="Tomatensuppe"), model_id="tiny")

    assert _owner_configs(alice.pk) == {"english", "simple"}
    assert _owner_configs(bob.pk) == {"german"}
    assert found(bob, "Tomatensuppen") == ["Tomatensuppe"]  # German stemming, from bob's configuration
