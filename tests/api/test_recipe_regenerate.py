"""POST /api/v1/recipes/{id}/regenerate/: the photos are read again, the
new output replaces the model's, and the cook's edits survive."""

import pytest

from recipes_api.photos.models import Job
from recipes_api.photos.services import job_claim, job_fail, job_succeed
from recipes_api.recipes.models import Recipe
from tests.api.recipe_helpers import recipe_read_from, recipe_saved
from tests.api.uploads import unsigned

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def recipe(alice, picture, a_recipe):
    return recipe_read_from(alice, picture, a_recipe)


def regenerate(client, recipe, **body):
    return client.post(f"/api/v1/recipes/{recipe.id}/regenerate/", body, format="json")


def finish(job_id, recipe):
    """The worker's part: claim the job and save what the model read."""
    return job_succeed(job=job_claim(job_id=job_id), recipe=recipe, model_id="tiny-qwen-vl-2")


def test_it_answers_202_with_a_job_on_the_recipes_photos(alice_client, recipe):
    r = regenerate(alice_client, recipe)

    assert r.status_code == 202, r.content
    job = Job.objects.get(id=r.json()["id"])
    assert r["Location"] == f"http://testserver/api/v1/jobs/{job.id}/"
    assert r.json()["status"] == "queued"
    assert [photo["id"] for photo in r.json()["photos"]] == [str(recipe.photo_id)]
    assert job.regenerates_id == recipe.id
    assert (job.mode, job.language) == ("auto", "")  # as the first job


def test_it_regenerates_in_another_mode_and_language(alice_client, recipe):
    r = regenerate(alice_client, recipe, mode="recipe_card", language="fr")

    assert (r.json()["mode"], r.json()["language"]) == ("recipe_card", "fr")


def test_it_refuses_bad_regeneration_options(alice_client, recipe):
    for body in ({"mode": "guess"}, {"language": "not a tag"}):
        assert regenerate(alice_client, recipe, **body).status_code == 400, body


def test_it_refuses_to_regenerate_a_recipe_without_photos(alice_client, alice, a_recipe):
    bare = recipe_saved(alice, a_recipe)

    r = regenerate(alice_client, bare)

    assert r.status_code == 409
    assert r.json()["error"]["code"] == "no_photos"


def test_it_counts_regenerations_against_the_jobs_in_flight(alice_client, recipe, settings):
    settings.JOB_MAX_IN_FLIGHT = 1
    assert regenerate(alice_client, recipe).status_code == 202

    r = regenerate(alice_client, recipe)

    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_jobs"


def test_it_replaces_the_models_output_and_keeps_my_edits(alice_client, recipe, a_recipe):
    alice_client.patch(
        f"/api/v1/recipes/{recipe.id}/",
        {"title": "Grandma's shakshuka", "favorite": True, "tags": ["family"], "notes": "Double it."},
        format="json",
    )
    job_id = regenerate(alice_client, recipe).json()["id"]

    finish(job_id, a_recipe(title="Eggs in purgatory", servings=4, cuisine="Italian", tags=["spicy"]))

    body = alice_client.get(f"/api/v1/recipes/{recipe.id}/", {"include": "original"}).json()
    assert body["title"] == "Grandma's shakshuka"  # mine
    assert (body["servings"], body["cuisine"]) == (4, "Italian")  # the new output's
    assert (body["favorite"], body["tags"], body["notes"]) == (True, ["family"], "Double it.")
    assert body["original"]["title"] == "Eggs in purgatory"
    assert body["model_id"] == "tiny-qwen-vl-2"
    assert body["edited_fields"] == ["title"]
    assert Recipe.objects.filter(owner=recipe.owner).count() == 1  # replaced, not added
    assert alice_client.get(f"/api/v1/jobs/{job_id}/").json()["recipe"] == str(recipe.id)


def test_it_keeps_the_previous_output_as_a_version(alice_client, recipe, a_recipe):
    finish(regenerate(alice_client, recipe).json()["id"], a_recipe(title="Second reading"))
    finish(regenerate(alice_client, recipe).json()["id"], a_recipe(title="Third reading"))

    r = alice_client.get(f"/api/v1/recipes/{recipe.id}/versions/")

    assert r.status_code == 200
    versions = r.json()["results"]
    assert [v["data"]["title"] for v in versions] == ["Second reading", "Shakshuka"]
    assert versions[1]["model_id"] == "tiny-qwen-vl"
    assert alice_client.get(f"/api/v1/recipes/{recipe.id}/").json()["title"] == "Third reading"


def test_it_finds_the_regenerated_recipe_by_its_new_words(alice_client, recipe, a_recipe):
    finish(regenerate(alice_client, recipe).json()["id"], a_recipe(title="Menemen"))

    found = alice_client.get("/api/v1/recipes/", {"search": "menemen"}).json()["results"]
    assert [item["id"] for item in found] == [str(recipe.id)]


def test_a_failed_regeneration_leaves_the_recipe_as_it_was(alice_client, recipe):
    before = alice_client.get(f"/api/v1/recipes/{recipe.id}/").json()
    job = Job.objects.get(id=regenerate(alice_client, recipe).json()["id"])

    assert job_fail(job=job_claim(job_id=job.id), code="generation_incomplete")

    assert unsigned(alice_client.get(f"/api/v1/recipes/{recipe.id}/").json()) == unsigned(before)
    assert alice_client.get(f"/api/v1/recipes/{recipe.id}/versions/").json()["results"] == []


def test_deleting_the_recipe_cancels_its_regeneration(alice_client, recipe, a_recipe):
    job_id = regenerate(alice_client, recipe).json()["id"]
    claimed = job_claim(job_id=job_id)

    assert alice_client.delete(f"/api/v1/recipes/{recipe.id}/").status_code == 204

    assert job_succeed(job=claimed, recipe=a_recipe(), model_id="late") is None  # its worker writes nothing
    assert not Recipe.objects.exists()
