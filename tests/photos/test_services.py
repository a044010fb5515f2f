"""The job life cycle as the worker drives it."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.db import IntegrityError, transaction
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from recipes_api.photos import services
from recipes_api.photos.failures import job_error_message
from recipes_api.photos.models import Job, Photo
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.services import recipe_create

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def job(alice, picture) -> Job:
    return services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))


def test_it_claims_a_queued_job(job):
    claimed = services.job_claim(job_id=job.id)

    assert claimed.id == job.id
    assert claimed.status == Job.Status.RUNNING
    assert claimed.stage == Job.Stage.LOADING
    assert claimed.attempts == 1
    assert claimed.started_at is not None
    assert timedelta(seconds=50) < claimed.lease_expires_at - timezone.now() <= timedelta(seconds=60)


def test_it_loads_the_photo_and_owner_with_the_claim(job, django_assert_num_queries):
    claimed = services.job_claim(job_id=str(job.id))

    with django_assert_num_queries(0):
        assert claimed.photo.width == 400
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
    services.job_fail(job=job, code="timed_out")

    assert services.job_claim(job_id=job.id) is None


def test_it_sets_the_stage_and_extends_the_lease(job):
    claimed = services.job_claim(job_id=job.id)
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now())

    services.job_stage_set(job=claimed, stage="generating")

    fresh = Job.objects.get(id=job.id)
    assert fresh.stage == Job.Stage.GENERATING
    assert fresh.lease_expires_at - timezone.now() > timedelta(seconds=50)
    assert claimed.stage == Job.Stage.GENERATING


def test_it_leaves_a_finished_jobs_stage_alone(job):
    claimed = services.job_claim(job_id=job.id)
    services.job_fail(job=Job.objects.get(id=job.id), code="timeout")

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
    services.job_fail(job=Job.objects.get(id=job.id), code="cancelled")

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

    services.job_fail(job=claimed, code="generation_incomplete")

    fresh = Job.objects.get(id=job.id)
    assert fresh.status == Job.Status.FAILED
    assert fresh.stage == Job.Stage.DONE
    assert fresh.error_code == "generation_incomplete"
    assert fresh.error_message == job_error_message("generation_incomplete")
    assert fresh.finished_at is not None
    assert fresh.lease_expires_at is None
    assert claimed.status == Job.Status.FAILED


def test_it_records_how_many_tries_a_job_took(job, alice, picture, a_recipe):
    claimed = services.job_claim(job_id=job.id)
    services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny", tries=2)
    other = services.job_claim(job_id=services.photo_accept(owner=alice, upload=SimpleUploadedFile("b.jpg", picture())).id)
    services.job_fail(job=other, code="recipe_invalid", tries=2)

    assert Job.objects.get(id=job.id).tries == 2
    assert Job.objects.get(id=other.id).tries == 2


def test_a_new_attempt_counts_its_own_tries(job):
    services.job_claim(job_id=job.id)
    Job.objects.filter(id=job.id).update(tries=2, lease_expires_at=timezone.now() - timedelta(seconds=1))

    assert services.job_claim(job_id=job.id).tries == 0


def test_it_does_not_fail_a_succeeded_job(job, a_recipe):
    claimed = services.job_claim(job_id=job.id)
    services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny")

    services.job_fail(job=claimed, code="late")

    fresh = Job.objects.get(id=job.id)
    assert fresh.status == Job.Status.SUCCEEDED
    assert fresh.error_code == ""


def test_it_reads_the_stored_photo(job):
    content = services.photo_read(photo=job.photo)

    assert content.startswith(b"\xff\xd8\xff")
    assert len(content) == job.photo.bytes


@pytest.mark.parametrize("keep_original", [False, True])
def test_it_leaves_no_file_when_the_job_cannot_be_saved(alice, picture, media_root, monkeypatch, settings, keep_original):
    settings.PHOTO_KEEP_ORIGINAL = keep_original

    def refuse(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Job, "save", refuse)

    with pytest.raises(RuntimeError):
        services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))

    assert not Photo.objects.exists()
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_it_gives_unknown_failure_codes_the_generic_message(job):
    services.job_fail(job=job, code="segfault_in_/srv/models")

    assert Job.objects.get(id=job.id).error_message == job_error_message("internal_error")


def expire(job):
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_a_worker_whose_lease_was_taken_over_writes_nothing(job, a_recipe):
    first = services.job_claim(job_id=job.id)
    expire(job)
    second = services.job_claim(job_id=job.id)

    assert services.job_stage_set(job=first, stage="saving") is False
    assert services.job_heartbeat(job=first, tokens=99) is False
    assert services.job_succeed(job=first, recipe=a_recipe(), model_id="tiny") is None
    assert services.job_fail(job=first, code="timed_out") is False
    assert services.job_release(job=first) is False

    fresh = Job.objects.get(id=job.id)
    assert (fresh.status, fresh.claim, fresh.tokens) == (Job.Status.RUNNING, second.claim, 0)
    assert not Recipe.objects.exists()
    assert services.job_succeed(job=second, recipe=a_recipe(), model_id="tiny") is not None


def test_the_heartbeat_renews_the_lease_and_records_progress(job):
    claimed = services.job_claim(job_id=job.id)
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now())

    assert services.job_heartbeat(job=claimed, tokens=42) is True

    fresh = Job.objects.get(id=job.id)
    assert fresh.tokens == 42
    assert fresh.lease_expires_at - timezone.now() > timedelta(seconds=50)


def test_a_released_job_is_queued_again_for_the_sweep_to_ring(job):
    claimed = services.job_claim(job_id=job.id)

    assert services.job_release(job=claimed) is True

    fresh = Job.objects.get(id=job.id)
    assert (fresh.status, fresh.stage, fresh.claim, fresh.dispatched_at) == ("queued", "queued", None, None)
    assert fresh.attempts == 1
    assert services.job_claim(job_id=job.id).attempts == 2


def test_a_job_past_its_attempts_fails_instead_of_being_claimed(job, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    for _ in range(2):
        services.job_claim(job_id=job.id)
        expire(job)

    assert services.job_claim(job_id=job.id) is None

    fresh = Job.objects.get(id=job.id)
    assert (fresh.status, fresh.error_code) == ("failed", "attempts_exhausted")
    assert fresh.error_message == job_error_message("attempts_exhausted")


def test_one_job_yields_at_most_one_recipe_even_past_the_services(job, a_recipe):
    claimed = services.job_claim(job_id=job.id)
    services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny")

    with pytest.raises(IntegrityError), transaction.atomic():
        recipe_create(owner=job.owner, photo=job.photo, job=job, recipe=a_recipe(), model_id="tiny")
    assert Recipe.objects.filter(job=job).count() == 1
