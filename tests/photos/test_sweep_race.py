"""Sweepers racing on the real database, as every worker on every host
sweeps: `make test` runs this on SQLite and again on PostgreSQL. Each thread
has its own connection, as workers do."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier, Lock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from recipes_api.photos import services, sweep
from recipes_api.photos.models import Job

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("media_root")]

SWEEPERS = 4


@pytest.mark.django_db(transaction=True)
def test_racing_sweepers_ring_each_job_once_and_requeue_each_expired_lease_once(alice, picture, monkeypatch, settings):
    settings.JOB_MAX_IN_FLIGHT = 0
    rung, lock = Counter(), Lock()

    def ring(job_id, countdown=None):
        with lock:
            rung[job_id] += 1
        return True

    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: False)  # never sent
    jobs = [services.photo_accept(owner=alice, upload=SimpleUploadedFile("d.jpg", picture("JPEG"))) for _ in range(8)]
    for job in jobs[:3]:  # three whose worker died
        services.job_claim(job_id=job.id)
    Job.objects.filter(status="running").update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(services, "job_dispatch", ring)
    start = Barrier(SWEEPERS)

    def sweep_once(_):
        try:
            start.wait()
            return sweep.jobs_sweep()
        finally:
            connection.close()

    with ThreadPoolExecutor(SWEEPERS) as pool:
        results = list(pool.map(sweep_once, range(SWEEPERS)))

    assert sum(result.requeued for result in results) == 3
    assert rung == Counter({job.id: 1 for job in jobs})
    assert set(Job.objects.values_list("status", flat=True)) == {"queued"}
