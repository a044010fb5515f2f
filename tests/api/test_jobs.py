import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos import services
from recipes_api.photos.failures import job_error_message
from recipes_api.photos.models import Job

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def job_for(picture):
    """job_for(user) -> a queued job for a fresh photo of `user`'s."""

    def make(user) -> Job:
        upload = SimpleUploadedFile("dish.jpg", picture("JPEG"))
        return services.photo_accept(owner=user, upload=upload)

    return make


def test_it_lists_my_jobs_newest_first(alice_client, alice, job_for):
    first, second = job_for(alice), job_for(alice)

    r = alice_client.get("/api/v1/jobs/")

    assert r.status_code == 200
    assert [job["id"] for job in r.json()["results"]] == [str(second.id), str(first.id)]


def test_it_lists_only_my_jobs(bob_client, alice, bob, job_for):
    job_for(alice)
    mine = job_for(bob)

    r = bob_client.get("/api/v1/jobs/")

    assert [job["id"] for job in r.json()["results"]] == [str(mine.id)]


def test_it_pages_with_a_cursor(alice_client, alice, job_for):
    jobs = [job_for(alice) for _ in range(3)]

    first = alice_client.get("/api/v1/jobs/", {"page_size": 2}).json()
    second = alice_client.get(first["next"]).json()

    seen = [job["id"] for job in first["results"] + second["results"]]
    assert seen == [str(job.id) for job in reversed(jobs)]
    assert second["next"] is None


def test_it_shows_one_job(alice_client, alice, job_for):
    job = job_for(alice)

    r = alice_client.get(f"/api/v1/jobs/{job.id}/")

    assert r.status_code == 200
    assert set(r.json()) == {
        "id", "status", "stage", "mode", "language", "photo", "photos", "recipe", "error",
        "attempts", "tries", "tokens", "created_at", "updated_at", "started_at", "finished_at",
    }
    assert r.json()["photo"]["id"] == str(job.photo_id)
    assert r.json()["photos"] == [r.json()["photo"]]


def test_it_shows_a_failed_jobs_error(alice_client, alice, job_for):
    job = job_for(alice)
    services.job_fail(job=job, code="timed_out")

    r = alice_client.get(f"/api/v1/jobs/{job.id}/")

    assert r.json()["status"] == "failed"
    assert r.json()["stage"] == "done"
    assert r.json()["error"] == {"code": "timed_out", "message": job_error_message("timed_out")}
    assert r.json()["finished_at"] is not None


def test_it_links_a_succeeded_jobs_recipe(alice_client, alice, job_for, a_recipe):
    job = services.job_claim(job_id=job_for(alice).id)
    recipe = services.job_succeed(job=job, recipe=a_recipe(), model_id="tiny")

    r = alice_client.get(f"/api/v1/jobs/{job.id}/")

    assert r.json()["status"] == "succeeded"
    assert r.json()["recipe"] == str(recipe.id)
    assert r.json()["attempts"] == 1


def test_it_hides_alices_job_from_bob(bob_client, alice, job_for):
    job = job_for(alice)

    r = bob_client.get(f"/api/v1/jobs/{job.id}/")

    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_it_answers_404_for_an_unknown_job(alice_client):
    r = alice_client.get(f"/api/v1/jobs/{uuid.uuid4()}/")

    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_it_shows_how_many_tokens_a_running_job_has_generated(alice_client, alice, job_for):
    job = services.job_claim(job_id=job_for(alice).id)
    services.job_heartbeat(job=job, tokens=42)

    r = alice_client.get(f"/api/v1/jobs/{job.id}/")

    assert r.json()["status"] == "running"
    assert r.json()["tokens"] == 42
