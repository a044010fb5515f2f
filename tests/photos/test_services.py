"""The job life cycle as the worker drives it."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from recipes_api.photos import services
from recipes_api.photos.models import Job, Photo
from recipes_api.recipes.models import Recipe

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def job(alice, picture) -> Job:
    return services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))


def test_it_claims_a_queued_job(job):
    claimed = services.job_claim(job_id=job.id, lease_seconds=60)

    assert claimed.id == job.id
    assert claimed.status == Job.Status.RUNNING
    assert claimed.stage == Job.Stage.LOADING
    assert claimed.attempts == 1
    assert claimed.started_at is not None
    assert timedelta(seconds=50) < claimed.lease_expires_at - timezone.now() <= timedelta(seconds=60)


def test_it_loads_the_photo_and_owner_with_the_claim(job, django_assert_num_queries):
    claimed = services.job_claim(job_id=str(job.id))

    with django_assert_num_queries(0):
        assert claimed.photo.width == 64
        assert claimed.owner.username == "alice"


def test_it_claims_a_job_only_once(job):
    assert services.job_claim(job_id=job.id) is not None
    assert services.job_claim(job_id=job.id) is None


def test_it_reclaims_a_job_whose_lease_ran_out(job):
    services.job_claim(job_id=job.id)
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    again = services.job_claim(job_id=job.id)

    assert again is not None
    assert again.attempts == 2


def test_it_claims_nothing_for_an_unknown_id(db):
    assert services.job_claim(job_id=uuid4()) is None
    assert services.job_claim(job_id="not-a-uuid") is None


def test_it_claims_no_finished_job(job):
    services.job_fail(job=job, code="not_food", message="No dish here.")

    assert services.job_claim(job_id=job.id) is None


def test_it_sets_the_stage_and_extends_the_lease(job):
    claimed = services.job_claim(job_id=job.id, lease_seconds=1)

    services.job_stage_set(job=claimed, stage="generating", lease_seconds=600)

    fresh = Job.objects.get(id=job.id)
    assert fresh.stage == Job.Stage.GENERATING
    assert fresh.lease_expires_at - timezone.now() > timedelta(seconds=590)
    assert claimed.stage == Job.Stage.GENERATING


def test_it_leaves_a_finished_jobs_stage_alone(job):
    claimed = services.job_claim(job_id=job.id)
    services.job_fail(job=Job.objects.get(id=job.id), code="timeout", message="Took too long.")

    services.job_stage_set(job=claimed, stage="saving")

    assert Job.objects.get(id=job.id).stage == Job.Stage.DONE


def test_it_refuses_an_unknown_stage(job):
    with pytest.raises(ValueError):
        services.job_stage_set(job=job, stage="dreaming")


def test_it_saves_the_recipe_and_succeeds(job, alice, a_recipe):
    claimed = services.job_claim(job_id=job.id)

    recipe = services.job_succeed(job=claimed, recipe=a_recipe(title="Menemen"), model_id="tiny")

    assert recipe.owner == alice
    assert recipe.photo_id == job.photo_id
    assert recipe.title == "Menemen"
    assert recipe.model_id == "tiny"
    assert recipe.data == a_recipe(title="Menemen").model_dump(mode="json")
    fresh = Job.objects.get(id=job.id)
    assert fresh.status == Job.Status.SUCCEEDED
    assert fresh.stage == Job.Stage.DONE
    assert fresh.recipe_id == recipe.id
    assert fresh.finished_at is not None
    assert fresh.lease_expires_at is None
    assert (claimed.status, claimed.recipe_id) == (Job.Status.SUCCEEDED, recipe.id)


def test_it_does_not_succeed_a_failed_job(job, a_recipe):
    claimed = services.job_claim(job_id=job.id)
    services.job_fail(job=Job.objects.get(id=job.id), code="cancelled", message="Cancelled.")

    assert services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny") is None

    assert not Recipe.objects.exists()
    assert Job.objects.get(id=job.id).status == Job.Status.FAILED


def test_it_does_not_succeed_a_job_twice(job, a_recipe):
    claimed = services.job_claim(job_id=job.id)
    services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny")

    assert services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny") is None
    assert Recipe.objects.count() == 1


def test_it_does_not_succeed_a_queued_job(job, a_recipe):
    assert services.job_succeed(job=job, recipe=a_recipe(), model_id="tiny") is None


def test_it_fails_a_running_job(job):
    claimed = services.job_claim(job_id=job.id)

    services.job_fail(job=claimed, code="model_error", message="The model could not read this photo.")

    fresh = Job.objects.get(id=job.id)
    assert fresh.status == Job.Status.FAILED
    assert fresh.stage == Job.Stage.DONE
    assert (fresh.error_code, fresh.error_message) == ("model_error", "The model could not read this photo.")
    assert fresh.finished_at is not None
    assert fresh.lease_expires_at is None
    assert claimed.status == Job.Status.FAILED


def test_it_does_not_fail_a_succeeded_job(job, a_recipe):
    claimed = services.job_claim(job_id=job.id)
    services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny")

    services.job_fail(job=claimed, code="late", message="Too late.")

    fresh = Job.objects.get(id=job.id)
    assert fresh.status == Job.Status.SUCCEEDED
    assert fresh.error_code == ""


def test_it_reads_the_stored_photo(job):
    content = services.photo_read(photo=job.photo)

    assert content.startswith(b"\xff\xd8\xff")
    assert len(content) == job.photo.bytes


def test_it_leaves_no_file_when_the_job_cannot_be_saved(alice, picture, media_root, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Job, "save", refuse)

    with pytest.raises(RuntimeError):
        services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))

    assert not Photo.objects.exists()
    assert [path for path in media_root.rglob("*") if path.is_file()] == []
