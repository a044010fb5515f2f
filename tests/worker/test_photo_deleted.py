"""A job whose photo is deleted while the worker has it ends quietly: no
crash, no retry loop, nothing written for the deleted job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos import services
from recipes_api.photos.models import Job, Photo
from recipes_api.recipes.models import Recipe
from worker import engine, tasks
from worker.tasks import recipe_generate

pytestmark = pytest.mark.usefixtures("media_root", "no_heartbeat")


@pytest.fixture
def job(alice, picture, monkeypatch):
    monkeypatch.setattr("recipes_api.photos.services.job_dispatch", lambda job_id, countdown=None: True)
    return services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.png", picture("PNG")))


def delete_photo(job_id) -> None:
    services.photo_delete(photo=Photo.objects.get(jobs__id=job_id))


def test_it_drops_a_job_whose_photo_was_deleted_before_the_worker_read_it(
    job, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    claim = tasks.jobs_claim

    def claim_then_delete(*, job_id, limit):
        claimed = claim(job_id=job_id, limit=limit)
        with django_capture_on_commit_callbacks(execute=True):
            delete_photo(job_id)  # files gone too: the read fails
        return claimed

    monkeypatch.setattr(tasks, "jobs_claim", claim_then_delete)

    recipe_generate(str(job.id))

    assert not Job.objects.exists()
    assert not Recipe.objects.exists()
    assert "its photo is gone" in caplog.text
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_it_drops_a_job_whose_photo_was_deleted_while_the_model_ran(job, monkeypatch, a_recipe):
    def delete_during_generation(requests, backend=None):
        delete_photo(job.id)
        return [engine.RecipeRead(a_recipe(), "tiny", tries=1)]

    monkeypatch.setattr(engine, "recipes_from_photos", delete_during_generation)

    recipe_generate(str(job.id))

    assert not Job.objects.exists()
    assert not Recipe.objects.exists()


def test_it_skips_a_job_whose_photo_was_deleted_before_it_was_claimed(job):
    delete_photo(job.id)

    recipe_generate(str(job.id))

    assert not Job.objects.exists()
