"""Fair use: one user may have JOB_MAX_IN_FLIGHT photos being read at once.
The upload past the cap gets 429 `too_many_jobs` and leaves nothing behind;
a finished job frees its slot."""

from itertools import count

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos import services
from recipes_api.photos.models import Job, Photo

URL = "/api/v1/photos/"

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture(autouse=True)
def cap_of_two(settings):
    settings.JOB_MAX_IN_FLIGHT = 2
    settings.JOB_IN_FLIGHT_RETRY_AFTER = 15


SHADES = count(10, 20)


def upload(client, picture):
    # A new picture each time: the same one again is the job it already has.
    shade = (next(SHADES) % 250, 90, 60)
    image = SimpleUploadedFile("dish.jpg", picture("JPEG", color=shade), content_type="image/jpeg")
    return client.post(URL, {"image": image}, format="multipart")


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_it_refuses_the_upload_past_the_cap(alice_client, picture, media_root):
    assert upload(alice_client, picture).status_code == 202
    assert upload(alice_client, picture).status_code == 202

    r = upload(alice_client, picture)

    assert r.status_code == 429
    assert r["Retry-After"] == "15"
    error = r.json()["error"]
    assert error["code"] == "too_many_jobs"
    assert error["details"] == {"max_in_flight": 2}
    assert Job.objects.count() == Photo.objects.count() == 2
    assert len(stored_files(media_root)) == 4  # a working copy and a thumbnail each


def test_it_counts_running_jobs_too(alice_client, picture):
    for _ in range(2):
        upload(alice_client, picture)
    services.job_claim(job_id=Job.objects.first().id)

    assert upload(alice_client, picture).status_code == 429


def test_it_accepts_uploads_again_once_a_job_finishes(alice_client, picture, a_recipe):
    for _ in range(2):
        upload(alice_client, picture)
    assert upload(alice_client, picture).status_code == 429
    job = services.job_claim(job_id=Job.objects.first().id)
    services.job_succeed(job=job, recipe=a_recipe(), model_id="tiny")

    r = upload(alice_client, picture)

    assert r.status_code == 202
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 2


def test_it_frees_the_slot_of_a_failed_job(alice_client, picture):
    for _ in range(2):
        upload(alice_client, picture)
    services.job_fail(job=Job.objects.first(), code="timed_out")

    assert upload(alice_client, picture).status_code == 202


def test_it_counts_each_users_jobs_apart(alice_client, bob_client, picture):
    for _ in range(2):
        upload(alice_client, picture)

    assert upload(bob_client, picture).status_code == 202
