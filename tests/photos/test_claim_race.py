"""Racing claims, of one job or of batches, on the real database: `make test` runs this on SQLite and
again on PostgreSQL. Each thread has its own connection, as workers do."""

import time
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier, Event

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from recipes_api.photos import services
from recipes_api.photos.models import Job

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("media_root")]

RACERS = 6


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_many_racing_workers_claim_a_job(alice, picture, monkeypatch):
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)
    job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))
    start = Barrier(RACERS)

    def claim(_):
        try:
            start.wait()
            return services.job_claim(job_id=job.id)
        finally:
            connection.close()

    with ThreadPoolExecutor(RACERS) as pool:
        claims = list(pool.map(claim, range(RACERS)))

    winners = [claimed for claimed in claims if claimed is not None]
    assert len(winners) == 1
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_bell_waits_out_a_brief_lock_on_its_own_job(alice, picture, monkeypatch):
    # The API records that it rang (an UPDATE of the job) just after ringing.
    # A worker claiming at that moment must wait for the row, not skip it:
    # a skipped bell left the job queued until the sweep rang again, minutes
    # later (seen once in tests/faults/test_outages.py).
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes the write lock for the whole claim: there is no row lock to skip")
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)
    job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))
    locked, release = Event(), Event()

    def hold():
        try:
            with transaction.atomic():
                Job.objects.select_for_update().get(id=job.id)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    def claim():
        try:
            return services.jobs_claim(job_id=job.id)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(hold)
        assert locked.wait(10)
        claimed = pool.submit(claim)
        time.sleep(0.5)
        assert not claimed.done()  # waiting on the lock, not given up
        release.set()
        holder.result(timeout=10)
        batch = claimed.result(timeout=10)

    assert [each.id for each in batch] == [job.id]
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_racing_workers_claim_disjoint_batches(alice, bob, picture, monkeypatch, settings):
    settings.JOB_MAX_IN_FLIGHT = 0
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)
    jobs = [
        services.photo_accept(owner=(alice, bob)[n % 2], upload=SimpleUploadedFile("d.jpg", picture(size=(400 + n, 300))))
        for n in range(12)
    ]
    bells = [jobs[0], jobs[4], jobs[8], jobs[11]]
    start = Barrier(len(bells))

    def claim(job):
        try:
            start.wait()
            return services.jobs_claim(job_id=job.id, limit=4)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(bells)) as pool:
        batches = list(pool.map(claim, bells))

    claimed = [job for batch in batches for job in batch]
    assert claimed, "no worker claimed anything"
    assert len({job.id for job in claimed}) == len(claimed)  # no job in two batches
    for bell, batch in zip(bells, batches, strict=True):
        assert not batch or batch[0].id == bell.id
    for job in claimed:
        stored = Job.objects.get(id=job.id)
        assert (stored.status, stored.claim, stored.attempts) == ("running", job.claim, 1)
    assert Job.objects.filter(attempts=0, status="queued").count() == 12 - len(claimed)
