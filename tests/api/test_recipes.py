import uuid

import pytest
from vision import schema

from recipes_api.recipes.services import recipe_create


@pytest.fixture
def recipe_for(a_recipe):
    """recipe_for(user, title=...) -> a saved recipe in `user`'s library."""

    def make(user, **changes):
        return recipe_create(owner=user, photo=None, recipe=a_recipe(**changes), model_id="tiny-qwen-vl")

    return make


def test_it_lists_my_recipes_newest_first(alice_client, alice, recipe_for):
    soup, salad = recipe_for(alice, title="Soup"), recipe_for(alice, title="Salad")

    r = alice_client.get("/api/v1/recipes/")

    assert r.status_code == 200
    assert [recipe["id"] for recipe in r.json()["results"]] == [str(salad.id), str(soup.id)]


def test_it_lists_only_my_recipes(bob_client, alice, bob, recipe_for):
    recipe_for(alice, title="Alice's soup")
    mine = recipe_for(bob, title="Bob's stew")

    r = bob_client.get("/api/v1/recipes/")

    assert [recipe["title"] for recipe in r.json()["results"]] == ["Bob's stew"]
    assert r.json()["results"][0]["id"] == str(mine.id)


def test_it_shows_every_schema_field(alice_client, alice, recipe_for, a_recipe):
    recipe = recipe_for(alice)

    r = alice_client.get(f"/api/v1/recipes/{recipe.id}/")

    assert r.status_code == 200
    body = r.json()
    assert body["id"] == str(recipe.id)
    assert body["model_id"] == "tiny-qwen-vl"
    assert body["photo"] is None
    assert body["photos"] == []
    served = {name: value for name, value in body.items() if name in schema.Recipe.model_fields}
    assert served == a_recipe().model_dump(mode="json")


def test_it_keeps_the_schema_field_order_after_the_ids(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)

    body = alice_client.get(f"/api/v1/recipes/{recipe.id}/").json()

    leading = ["id", "created_at", "updated_at", "model_id", "photo", "photos"]
    assert list(body) == leading + list(schema.Recipe.model_fields)


def test_it_hides_alices_recipe_from_bob(bob_client, alice, recipe_for):
    recipe = recipe_for(alice)

    r = bob_client.get(f"/api/v1/recipes/{recipe.id}/")

    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_it_answers_404_for_an_unknown_recipe(alice_client):
    r = alice_client.get(f"/api/v1/recipes/{uuid.uuid4()}/")

    assert r.status_code == 404


def test_it_is_read_only_for_now(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)

    r = alice_client.patch(f"/api/v1/recipes/{recipe.id}/", {"title": "Mine now"}, format="json")

    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"
