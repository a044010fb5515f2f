"""Claiming a batch: the job whose bell rang first, then the oldest queued
ones, each with a claim of its own; nothing when the bell was for work
already taken."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from recipes_api.photos import services
from recipes_api.photos.models import Job

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def queue(alice, bob, picture, monkeypatch, settings):
    """queue(n) -> n queued jobs, oldest first, alice's and bob's in turn."""
    settings.JOB_MAX_IN_FLIGHT = 0
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)

    def make(n: int) -> list[Job]:
        jobs = []
        for i in range(n):
            upload = SimpleUploadedFile("d.jpg", picture("JPEG", size=(400 + i, 300)))
            jobs.append(services.photo_accept(owner=(alice, bob)[i % 2], upload=upload))
            Job.objects.filter(id=jobs[-1].id).update(created_at=timezone.now() - timedelta(minutes=n - i))
        return jobs

    return make


def test_it_claims_the_named_job_first_then_the_oldest_queued_ones(queue):
    jobs = queue(5)

    claimed = services.jobs_claim(job_id=jobs[3].id, limit=3)

    assert [job.id for job in claimed] == [jobs[3].id, jobs[0].id, jobs[1].id]
    assert len({job.claim for job in claimed}) == 3
    for job in claimed:
        assert (job.status, job.stage, job.attempts) == ("running", "loading", 1)
        assert job.owner_id == job.photo.owner_id  # loaded with the job, for the worker
    assert Job.objects.filter(status="queued").count() == 2


def test_it_claims_nothing_when_the_named_job_is_already_taken(queue):
    jobs = queue(3)
    services.jobs_claim(job_id=jobs[0].id, limit=2)

    assert services.jobs_claim(job_id=jobs[1].id, limit=2) == []
    assert Job.objects.get(id=jobs[2].id).status == "queued"  # left for its own bell


def test_it_leaves_out_running_and_exhausted_jobs(queue, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    jobs = queue(4)
    services.job_claim(job_id=jobs[0].id)  # running, with a live lease
    Job.objects.filter(id=jobs[1].id).update(attempts=2)  # used up: the sweep fails it

    claimed = services.jobs_claim(job_id=jobs[3].id, limit=4)

    assert [job.id for job in claimed] == [jobs[3].id, jobs[2].id]


def test_a_batch_of_one_is_a_job_claim(queue):
    jobs = queue(2)

    assert [job.id for job in services.jobs_claim(job_id=jobs[1].id)] == [jobs[1].id]
    assert services.jobs_claim(job_id="not-a-uuid", limit=4) == []
