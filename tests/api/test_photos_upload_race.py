"""Racing uploads on the real database: `make test` runs these on SQLite and
again on PostgreSQL. Each thread sends its own request on its own database
connection, as two API processes would."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from recipes_api.photos import services
from recipes_api.photos.models import IdempotencyKey, Job, JobPhoto, Photo

URL = "/api/v1/photos/"
RACERS = 4

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("media_root"), pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)


def race(api, user, images: list[bytes], headers: dict) -> list:
    start = Barrier(RACERS)

    def send(_):
        client = api(user)
        parts = [SimpleUploadedFile(f"dish{i}.jpg", image, content_type="image/jpeg") for i, image in enumerate(images)]
        try:
            start.wait()
            return client.post(URL, {"image": parts}, format="multipart", headers=headers)
        finally:
            connection.close()

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(send, range(RACERS)))


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_it_makes_one_job_of_racing_retries_with_one_key(api, alice, picture, media_root):
    images = [picture("JPEG", color="olive"), picture("JPEG", color="navy")]

    answers = race(api, alice, images, {"Idempotency-Key": "tap-tap-tap"})

    assert [r.status_code for r in answers] == [202] * RACERS
    assert len({r.json()["id"] for r in answers}) == 1
    assert Job.objects.count() == 1 and JobPhoto.objects.count() == 2
    assert Photo.objects.count() == 2 and len(stored_files(media_root)) == 4
    assert IdempotencyKey.objects.count() == 1


def test_it_stores_racing_identical_uploads_once(api, alice, picture, media_root):
    answers = race(api, alice, [picture("JPEG", color="olive")], {})

    assert sorted(r.status_code for r in answers) == [200] * (RACERS - 1) + [202]
    assert len({r.json()["id"] for r in answers}) == 1
    assert Job.objects.count() == Photo.objects.count() == 1
    assert len(stored_files(media_root)) == 2  # the losers' files are gone
