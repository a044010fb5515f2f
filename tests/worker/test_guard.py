"""The guard over a batch: its heartbeat renews every job's lease and records
each job's own progress, and one job taken over does not stop the others.
On the real database, with the heartbeat on its own thread and connection."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos import services
from recipes_api.photos.models import Job
from worker.guard import ClaimLost, JobGuard

pytestmark = [pytest.mark.usefixtures("media_root"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def batch(alice, bob, picture, monkeypatch, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)
    jobs = [
        services.photo_accept(owner=owner, upload=SimpleUploadedFile("d.jpg", picture("JPEG", size=(400 + n, 300))))
        for n, owner in enumerate((alice, bob, alice))
    ]
    return services.jobs_claim(job_id=jobs[0].id, limit=3, lease_seconds=5)


def wait_for(predicate, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_it_renews_every_lease_and_records_each_jobs_own_tokens(batch):
    leases = {job.id: job.lease_expires_at for job in batch}
    with JobGuard(batch) as guard:
        for tokens, job in zip((11, 22, 33), batch, strict=True):
            guard.on_token_for(job)(tokens)
        wait_for(lambda: sorted(Job.objects.values_list("tokens", flat=True)) == [11, 22, 33])

    for job in Job.objects.filter(id__in=leases):
        assert job.lease_expires_at > leases[job.id]
    assert [Job.objects.get(id=job.id).tokens for job in batch] == [11, 22, 33]


def test_it_drops_only_the_job_taken_over_and_stops_once_all_are(batch):
    taken, *kept = batch
    with JobGuard(batch) as guard:
        Job.objects.filter(id=taken.id).update(claim=None, status="queued")  # the sweep requeued it
        wait_for(lambda: not guard.holds(taken))

        guard.check()  # the others go on
        assert all(guard.holds(job) for job in kept)
        assert guard.running() == kept

        Job.objects.filter(id__in=[job.id for job in kept]).update(claim=None, status="queued")
        wait_for(lambda: not guard.running())
        with pytest.raises(ClaimLost):
            guard.check()
