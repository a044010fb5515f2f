"""The recipe_generate task, called in-process (no broker) to pin down how
each outcome lands on the job. The real path runs the tiny model; the failure
paths swap the engine for a double that raises, beside that real test."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.failures import job_error_message
from recipes_api.photos.models import Job
from recipes_api.photos.services import photo_accept
from recipes_api.recipes.models import Recipe
from vision.errors import GenerationIncomplete
from worker import engine
from worker.tasks import recipe_generate

pytestmark = pytest.mark.usefixtures("media_root", "no_heartbeat")


@pytest.fixture
def job(alice, picture, monkeypatch):
    monkeypatch.setattr("recipes_api.photos.services.job_dispatch", lambda job_id, countdown=None: True)
    upload = SimpleUploadedFile("dish.jpg", picture("JPEG", size=(400, 300)), content_type="image/jpeg")
    return photo_accept(owner=alice, upload=upload, mode="dish_photo", language="bn")


def test_it_saves_the_tiny_models_recipe_to_the_owners_library(job, alice):
    recipe_generate(str(job.id))

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.stage == Job.Stage.DONE
    assert job.recipe.owner == alice
    assert job.recipe.photo == job.photo
    assert job.recipe.model_id == "tiny"
    assert job.recipe.language == "bn"  # asked for, and pinned while decoding
    assert job.tries == 1
    assert job.attempts == 1


def test_it_records_a_vision_failure_with_its_code(job, monkeypatch):
    def give_up(requests, backend=None):
        raise GenerationIncomplete("the model did not finish the recipe within 768 tokens")

    monkeypatch.setattr(engine, "recipes_from_photos", give_up)
    recipe_generate(str(job.id))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_code == "generation_incomplete"
    assert job.error_message == job_error_message("generation_incomplete")
    assert "768" not in job.error_message
    assert job.recipe is None


def test_it_hides_unexpected_errors_behind_a_generic_message(job, monkeypatch):
    def explode(requests, backend=None):
        raise RuntimeError("secret internals at /srv/models")

    monkeypatch.setattr(engine, "recipes_from_photos", explode)
    recipe_generate(str(job.id))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_code == "internal_error"
    assert "secret" not in job.error_message


def test_it_passes_the_jobs_mode_and_language_to_the_model(job, monkeypatch):
    asked = {}

    def remember(requests, backend=None):
        (request,) = requests
        asked.update(photos=len(request.photos), mode=request.mode, language=request.language)
        raise GenerationIncomplete("stop here")

    monkeypatch.setattr(engine, "recipes_from_photos", remember)
    recipe_generate(str(job.id))
    assert asked == {"photos": 1, "mode": "dish_photo", "language": "bn"}


def test_it_leaves_a_finished_job_alone_when_delivered_twice(job):
    recipe_generate(str(job.id))
    job.refresh_from_db()
    first_recipe = job.recipe_id

    recipe_generate(str(job.id))
    job.refresh_from_db()
    assert job.recipe_id == first_recipe
    assert job.attempts == 1


def test_it_ignores_unknown_job_ids(db):
    assert recipe_generate("00000000-0000-0000-0000-000000000000") is None
    assert not Recipe.objects.exists()
