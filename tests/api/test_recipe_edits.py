"""PATCH and DELETE /api/v1/recipes/{id}/: the cook corrects the model's
draft, keeps the original beside it, and deletes."""

import uuid

import pytest

from recipes_api.photos.models import Photo
from recipes_api.recipes.models import Recipe
from tests.api.recipe_helpers import recipe_read_from, recipe_saved

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def recipe(alice, a_recipe):
    return recipe_saved(alice, a_recipe)


def url(recipe) -> str:
    return f"/api/v1/recipes/{recipe.id}/"


def test_it_corrects_any_field(alice_client, recipe):
    r = alice_client.patch(
        url(recipe),
        {"title": "Shakshuka with feta", "servings": 3, "nutrition": {"sodium_mg": 800}},
        format="json",
    )

    assert r.status_code == 200, r.content
    assert r.json()["title"] == "Shakshuka with feta"
    assert r.json()["servings"] == 3
    assert r.json()["nutrition"]["sodium_mg"] == 800
    assert r.json()["nutrition"]["kcal"] == 320  # merged, not replaced
    assert r.json()["edited_fields"] == ["title", "servings", "nutrition"]
    again = alice_client.get(url(recipe)).json()
    assert again["title"] == "Shakshuka with feta"


def test_it_finds_a_corrected_recipe_by_its_new_words(alice_client, recipe):
    alice_client.patch(url(recipe), {"title": "Menemen"}, format="json")

    found = alice_client.get("/api/v1/recipes/", {"search": "menemen"}).json()["results"]
    assert [item["id"] for item in found] == [str(recipe.id)]
    assert alice_client.get("/api/v1/recipes/", {"search": "shakshuka"}).json()["results"] == []


def test_it_replaces_lists_whole(alice_client, recipe):
    ingredients = [{"name": "feta", "quantity": 100, "unit": "g", "note": "crumbled", "section": ""}]

    r = alice_client.patch(url(recipe), {"ingredients": ingredients, "allergens": ["milk"]}, format="json")

    assert r.json()["ingredients"] == ingredients
    assert alice_client.get("/api/v1/recipes/", {"allergen_free": "milk"}).json()["results"] == []


def test_it_keeps_the_models_original_on_request(alice_client, recipe):
    alice_client.patch(url(recipe), {"title": "Mine"}, format="json")

    plain = alice_client.get(url(recipe)).json()
    included = alice_client.get(url(recipe), {"include": "original"}).json()

    assert "original" not in plain
    assert included["title"] == "Mine"
    assert included["original"]["title"] == "Shakshuka"
    assert included["original"]["ingredients"][1]["name"] == "tomatoes"


def test_it_edits_my_own_favorite_tags_and_notes(alice_client, recipe):
    r = alice_client.patch(
        url(recipe), {"favorite": True, "tags": ["brunch", "weekend"], "notes": "Less cumin."}, format="json"
    )

    body = r.json()
    assert (body["favorite"], body["tags"], body["notes"]) == (True, ["brunch", "weekend"], "Less cumin.")
    assert body["edited_fields"] == []  # the recipe itself is the model's
    original = alice_client.get(url(recipe), {"include": "original"}).json()["original"]
    assert original["tags"] == ["one-pan"]  # the model's suggestions stay


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"servings": 0}, "servings"),
        ({"course": "brunch"}, "course"),
        ({"ingredients": [{"name": "salt"}]}, "ingredients"),
        ({"nutrition": {"kcal": -5}}, "nutrition"),
        ({"language": "not a tag"}, "language"),
        ({"favorite": "very"}, "favorite"),
        ({"tags": [""]}, "tags"),
        ({"colour": "red"}, "colour"),
        ({"id": str(uuid.uuid4())}, "id"),
    ],
)
def test_it_refuses_an_invalid_edit_and_changes_nothing(alice_client, recipe, patch, field):
    before = alice_client.get(url(recipe)).json()

    r = alice_client.patch(url(recipe), patch, format="json")

    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == "invalid"
    assert any(key.split(".")[0] == field for key in r.json()["error"]["details"]), r.json()
    assert alice_client.get(url(recipe)).json() == before


def test_it_refuses_a_body_that_is_not_an_object(alice_client, recipe):
    r = alice_client.patch(url(recipe), ["title"], format="json")

    assert r.status_code == 400


def test_it_deletes_a_recipe_and_its_photo(alice_client, alice, picture, a_recipe, media_root):
    recipe = recipe_read_from(alice, picture, a_recipe)
    assert any(media_root.rglob("*.jpg"))

    r = alice_client.delete(url(recipe))

    assert r.status_code == 204
    assert not Recipe.objects.filter(id=recipe.id).exists()
    assert not Photo.objects.filter(id=recipe.photo_id).exists()
    assert alice_client.get(url(recipe)).status_code == 404
    assert alice_client.get("/api/v1/recipes/", {"search": "shakshuka"}).json()["results"] == []


def test_it_deletes_the_photo_files_once_the_deletion_commits(
    alice_client, alice, picture, a_recipe, media_root, django_capture_on_commit_callbacks
):
    recipe = recipe_read_from(alice, picture, a_recipe)

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.delete(url(recipe))

    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_it_keeps_a_photo_another_recipe_still_uses(alice_client, alice, picture, a_recipe):
    first = recipe_read_from(alice, picture, a_recipe)
    second = recipe_read_from(alice, picture, a_recipe, title="Same photo, read again")
    assert first.photo_id == second.photo_id

    alice_client.delete(url(first))

    assert Photo.objects.filter(id=second.photo_id).exists()
    assert alice_client.get(url(second)).json()["photo"]["id"] == str(second.photo_id)


def test_it_hides_alices_recipe_from_bob_on_every_route_and_method(bob_client, recipe):
    calls = [
        ("get", url(recipe), None),
        ("patch", url(recipe), {"title": "Bob's"}),
        ("delete", url(recipe), None),
        ("post", f"{url(recipe)}regenerate/", {}),
        ("get", f"{url(recipe)}versions/", None),
    ]
    for method, path, body in calls:
        r = getattr(bob_client, method)(path, body, format="json")
        assert r.status_code == 404, (method, path)
        assert r.json()["error"]["code"] == "not_found"
    recipe.refresh_from_db()
    assert recipe.title == "Shakshuka"


def test_it_asks_for_a_token_on_every_new_route(anon_client, recipe):
    for method, path in [("patch", url(recipe)), ("delete", url(recipe)), ("post", f"{url(recipe)}regenerate/"),
                         ("get", f"{url(recipe)}versions/")]:  # fmt: skip
        assert getattr(anon_client, method)(path, {}, format="json").status_code == 401, (method, path)
