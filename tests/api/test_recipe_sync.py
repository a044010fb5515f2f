"""Offline-first sync: ETag and If-None-Match on reads, If-Match on edits,
updated_since with tombstones for deletions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recipes_api.photos.sweep import jobs_sweep
from recipes_api.recipes.models import RecipeTombstone
from tests.api.recipe_helpers import recipe_saved

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def recipe(alice, a_recipe):
    return recipe_saved(alice, a_recipe)


def url(recipe) -> str:
    return f"/api/v1/recipes/{recipe.id}/"


def test_it_answers_304_for_a_recipe_that_has_not_changed(alice_client, recipe):
    etag = alice_client.get(url(recipe))["ETag"]

    r = alice_client.get(url(recipe), HTTP_IF_NONE_MATCH=etag)

    assert r.status_code == 304
    assert r["ETag"] == etag
    assert r.content == b""


def test_it_answers_in_full_once_the_recipe_changed(alice_client, recipe):
    etag = alice_client.get(url(recipe))["ETag"]
    alice_client.patch(url(recipe), {"notes": "Salt less."}, format="json")

    r = alice_client.get(url(recipe), HTTP_IF_NONE_MATCH=etag)

    assert r.status_code == 200
    assert r.json()["notes"] == "Salt less."
    assert r["ETag"] != etag


def test_it_tags_each_reading_of_a_recipe_apart(alice_client, recipe):
    plain = alice_client.get(url(recipe))["ETag"]
    scaled = alice_client.get(url(recipe), {"servings": 4})["ETag"]
    us = alice_client.get(url(recipe), {"units": "us"})["ETag"]

    assert len({plain, scaled, us}) == 3
    assert alice_client.get(url(recipe), {"servings": 4}, HTTP_IF_NONE_MATCH=plain).status_code == 200
    assert alice_client.get(url(recipe), {"servings": 4}, HTTP_IF_NONE_MATCH=scaled).status_code == 304


def test_it_refuses_a_stale_edit_with_412(alice_client, recipe):
    etag = alice_client.get(url(recipe))["ETag"]
    assert alice_client.patch(url(recipe), {"title": "From the phone"}, format="json", HTTP_IF_MATCH=etag).status_code == 200

    r = alice_client.patch(url(recipe), {"title": "From the tablet"}, format="json", HTTP_IF_MATCH=etag)

    assert r.status_code == 412
    assert r.json()["error"]["code"] == "precondition_failed"
    assert alice_client.get(url(recipe)).json()["title"] == "From the phone"


def test_it_accepts_an_edit_with_the_current_etag_of_any_reading(alice_client, recipe):
    etag = alice_client.get(url(recipe), {"units": "us"})["ETag"]

    r = alice_client.patch(url(recipe), {"favorite": True}, format="json", HTTP_IF_MATCH=etag)

    assert r.status_code == 200
    assert r["ETag"] == alice_client.get(url(recipe))["ETag"]


def test_it_refuses_an_if_match_that_names_no_version(alice_client, recipe):
    r = alice_client.patch(url(recipe), {"favorite": True}, format="json", HTTP_IF_MATCH='"whatever"')

    assert r.status_code == 412


def test_it_answers_304_for_a_list_page_that_has_not_changed(alice_client, alice, recipe, a_recipe):
    etag = alice_client.get("/api/v1/recipes/")["ETag"]
    assert alice_client.get("/api/v1/recipes/", HTTP_IF_NONE_MATCH=etag).status_code == 304

    recipe_saved(alice, a_recipe, title="New")

    assert alice_client.get("/api/v1/recipes/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_list_etag_changes_with_an_edit_on_the_page(alice_client, recipe):
    etag = alice_client.get("/api/v1/recipes/")["ETag"]
    alice_client.patch(url(recipe), {"favorite": True}, format="json")

    assert alice_client.get("/api/v1/recipes/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_it_lists_only_what_changed_since(alice_client, alice, a_recipe):
    old = recipe_saved(alice, a_recipe, title="Old")
    untouched = recipe_saved(alice, a_recipe, title="Untouched")
    since = timezone.now()
    alice_client.patch(url(old), {"notes": "edited"}, format="json")
    new = recipe_saved(alice, a_recipe, title="New")

    body = alice_client.get("/api/v1/recipes/", {"updated_since": since.isoformat()}).json()

    assert {item["id"] for item in body["results"]} == {str(old.id), str(new.id)}
    assert str(untouched.id) not in {item["id"] for item in body["results"]}
    assert body["deleted"] == []


def test_it_lists_deletions_since_as_tombstones(alice_client, alice, a_recipe):
    kept, gone = recipe_saved(alice, a_recipe, title="Kept"), recipe_saved(alice, a_recipe, title="Gone")
    since = timezone.now()
    alice_client.delete(url(gone))

    body = alice_client.get("/api/v1/recipes/", {"updated_since": since.isoformat()}).json()

    assert body["results"] == []
    assert [item["id"] for item in body["deleted"]] == [str(gone.id)]
    assert body["deleted"][0]["deleted_at"] >= since.isoformat().replace("+00:00", "Z")[:19]
    assert "deleted" not in alice_client.get("/api/v1/recipes/").json()  # only when syncing
    assert alice_client.get(url(kept)).status_code == 200


def test_it_shows_no_one_elses_tombstones(bob_client, alice_client, recipe):
    since = timezone.now()
    alice_client.delete(url(recipe))

    assert bob_client.get("/api/v1/recipes/", {"updated_since": since.isoformat()}).json()["deleted"] == []


def test_it_refuses_a_sync_older_than_the_tombstones_kept(alice_client, recipe, settings):
    settings.RECIPE_TOMBSTONE_DAYS = 30
    since = timezone.now() - timedelta(days=31)

    r = alice_client.get("/api/v1/recipes/", {"updated_since": since.isoformat()})

    assert r.status_code == 410
    assert r.json()["error"]["code"] == "sync_expired"


def test_the_sweep_forgets_old_tombstones(alice, settings):
    settings.RECIPE_TOMBSTONE_DAYS = 30
    now = timezone.now()
    RecipeTombstone.objects.create(owner=alice, recipe_id="6f1c6a84-4cf3-4d6e-9d0b-5d6a9f0e2a11", deleted_at=now)
    RecipeTombstone.objects.create(
        owner=alice, recipe_id="0b7d9c1e-2f3a-4b5c-8d6e-7f8a9b0c1d2e", deleted_at=now - timedelta(days=31)
    )

    assert jobs_sweep().tombstones_purged == 1

    assert RecipeTombstone.objects.count() == 1
