"""Racing claims on the real database: `make test` runs this on SQLite and
again on PostgreSQL. Each thread has its own connection, as workers do."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from recipes_api.photos import services

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
