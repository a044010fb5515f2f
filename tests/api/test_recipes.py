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
    mine = ["version", "favorite", "notes", "edited_fields"]
    assert list(body) == leading + mine + list(schema.Recipe.model_fields)


def test_it_hides_alices_recipe_from_bob(bob_client, alice, recipe_for):
    recipe = recipe_for(alice)

    r = bob_client.get(f"/api/v1/recipes/{recipe.id}/")

    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_it_answers_404_for_an_unknown_recipe(alice_client):
    r = alice_client.get(f"/api/v1/recipes/{uuid.uuid4()}/")

    assert r.status_code == 404


def test_it_offers_no_put(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)

    r = alice_client.put(f"/api/v1/recipes/{recipe.id}/", {"title": "Mine now"}, format="json")

    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_it_scales_a_recipe_to_the_servings_asked(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)  # serves 2: 4 eggs, 400 g tomatoes

    r = alice_client.get(f"/api/v1/recipes/{recipe.id}/?servings=3")

    assert r.status_code == 200
    assert r.json()["servings"] == 3
    assert [item["quantity"] for item in r.json()["ingredients"]] == [6, 600]


def test_it_converts_units_on_request(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)

    r = alice_client.get(f"/api/v1/recipes/{recipe.id}/?units=us&servings=4")

    assert [(item["quantity"], item["unit"]) for item in r.json()["ingredients"]] == [(8, "piece"), (1.76, "lb")]


def test_it_never_changes_the_stored_recipe_on_a_read(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)
    stored = recipe.data

    alice_client.get(f"/api/v1/recipes/{recipe.id}/?units=us&servings=4")

    recipe.refresh_from_db()
    assert recipe.data == stored
    assert alice_client.get(f"/api/v1/recipes/{recipe.id}/").json()["servings"] == 2


def test_it_refuses_bad_cooking_options(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)

    for query in ("servings=0", "servings=many", "units=imperial"):
        r = alice_client.get(f"/api/v1/recipes/{recipe.id}/?{query}")
        assert r.status_code == 400, query
        assert r.json()["error"]["code"] == "invalid"


def test_it_cannot_scale_a_recipe_without_servings(alice_client, alice, recipe_for):
    recipe = recipe_for(alice, servings=None)

    r = alice_client.get(f"/api/v1/recipes/{recipe.id}/?servings=4")

    assert r.status_code == 422
    assert r.json()["error"]["code"] == "servings_unknown"


def test_it_serves_json_ld(alice_client, alice, recipe_for):
    recipe = recipe_for(alice)

    r = alice_client.get(f"/api/v1/recipes/{recipe.id}/jsonld/")

    assert r.status_code == 200
    assert r["Content-Type"] == "application/ld+json"
    assert r.json()["@type"] == "Recipe"
    assert r.json()["name"] == "Shakshuka"


def test_it_hides_another_users_recipe_in_every_view(bob_client, alice, recipe_for):
    recipe = recipe_for(alice)

    for path in (f"/api/v1/recipes/{recipe.id}/?servings=3", f"/api/v1/recipes/{recipe.id}/jsonld/"):
        assert bob_client.get(path).status_code == 404, path
