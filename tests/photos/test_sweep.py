"""The sweep: no job waits for a doorbell that was never rung or was lost,
no lease outlives its worker, and no job is tried for ever."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from recipes_api.photos import services, sweep
from recipes_api.photos.models import Job, WorkerHeartbeat

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def rung(monkeypatch):
    """The job ids the sweep rang for; the broker answers as `rung.up` says."""
    class Bells(list):
        up = True

    bells = Bells()

    def ring(job_id, countdown=None):
        if bells.up:
            bells.append(job_id)
        return bells.up

    monkeypatch.setattr(services, "job_dispatch", ring)
    return bells


@pytest.fixture
def job(alice, picture, rung, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=False):  # as if the broker never got it
        job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))
    return job


def test_it_rings_for_a_job_that_was_never_sent(job, rung):
    result = sweep.jobs_sweep()

    assert rung == [job.id]
    assert result.sent == 1
    assert Job.objects.get(id=job.id).dispatched_at is not None


def test_it_rings_only_once_for_a_job_already_sent(job, rung):
    sweep.jobs_sweep()
    sweep.jobs_sweep()

    assert rung == [job.id]


def test_it_rings_again_for_a_job_that_waited_too_long(job, rung, settings):
    sweep.jobs_sweep()
    Job.objects.filter(id=job.id).update(
        dispatched_at=timezone.now() - timedelta(seconds=settings.JOB_REDISPATCH_SECONDS + 1)
    )

    sweep.jobs_sweep()

    assert rung == [job.id, job.id]


def test_it_keeps_trying_while_the_broker_is_down(job, rung):
    rung.up = False
    assert sweep.jobs_sweep().unsent == 1
    assert Job.objects.get(id=job.id).dispatched_at is None

    rung.up = True
    assert sweep.jobs_sweep().sent == 1
    assert rung == [job.id]


def test_it_requeues_a_running_job_whose_lease_expired(job, rung):
    claimed = services.job_claim(job_id=job.id)
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    result = sweep.jobs_sweep()

    fresh = Job.objects.get(id=job.id)
    assert (result.requeued, fresh.status, fresh.claim) == (1, Job.Status.QUEUED, None)
    assert rung[-1] == job.id
    assert services.job_heartbeat(job=claimed) is False  # the old worker is fenced off


def test_it_leaves_a_live_lease_alone(job, rung):
    services.job_claim(job_id=job.id)

    assert sweep.jobs_sweep().requeued == 0
    assert Job.objects.get(id=job.id).status == Job.Status.RUNNING


def test_it_fails_a_job_that_ran_out_of_attempts(job, rung, settings):
    settings.JOB_MAX_ATTEMPTS = 1
    services.job_claim(job_id=job.id)
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    result = sweep.jobs_sweep()

    fresh = Job.objects.get(id=job.id)
    assert result.exhausted == 1
    assert (fresh.status, fresh.error_code, fresh.claim) == ("failed", "attempts_exhausted", None)


def test_two_sweepers_do_not_both_ring(job, rung):
    # The second sweeper read the same stale row, but the conditional write
    # tells it another sweeper has already taken the bell.
    due = sweep._due_for_a_bell()
    assert sweep._take_bell(*due[0]) is True
    assert sweep._take_bell(*due[0]) is False


def test_it_records_a_worker_with_its_model(db):
    started = timezone.now()
    sweep.worker_report(name="gpu-1@host", model_id="tiny", started_at=started)
    sweep.worker_report(name="gpu-1@host", model_id="tiny", started_at=started)

    assert WorkerHeartbeat.objects.get().model_id == "tiny"
