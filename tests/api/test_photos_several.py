"""Several photos, one recipe: up to PHOTO_MAX_PER_JOB `image` parts in one
upload make one job, which keeps them in order; the first is its cover."""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, encode_multipart
from PIL import Image, ImageColor

from recipes_api.photos import services
from recipes_api.photos.models import Job, JobPhoto, Photo
from tests.api.test_photos_upload import CountingPayload
from tests.api.uploads import URL, assert_nothing_stored, photos_upload, stored_files

BOUNDARY = MULTIPART_CONTENT.split("boundary=")[1]
SHADES = ["tomato", "olive", "navy", "gold", "teal"]

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def pages(picture):
    """pages(n) -> n different pictures, as the pages of a recipe card."""

    def make(n: int) -> list[bytes]:
        return [picture("JPEG", color=shade) for shade in SHADES[:n]]

    return make


def shades_of(photos: list[dict]) -> list[str]:
    """The colour each stored photo (a photo object) shows, by name, in order."""
    return [shade_of(Photo.objects.get(id=photo["id"])) for photo in photos]


def shade_of(photo: Photo) -> str:
    pixel = Image.open(io.BytesIO(services.photo_read(photo=photo))).convert("RGB").getpixel((10, 10))
    distance = {shade: sum(abs(a - b) for a, b in zip(pixel, ImageColor.getrgb(shade))) for shade in SHADES}
    return min(distance, key=distance.get)


def test_it_makes_one_job_of_several_photos_in_order(alice_client, alice, pages, media_root):
    images = pages(3)

    r = photos_upload(alice_client, *images)

    assert r.status_code == 202
    job = Job.objects.get()
    body = r.json()
    assert shades_of(body["photos"]) == ["tomato", "olive", "navy"]
    assert body["photo"]["id"] == body["photos"][0]["id"] == str(job.photo_id)
    assert Photo.objects.filter(owner=alice).count() == 3
    assert len(stored_files(media_root)) == 6  # a working copy and a thumbnail each


def test_it_shows_the_photos_in_order_on_the_job(alice_client, pages):
    r = photos_upload(alice_client, *pages(4))

    job = alice_client.get(r["Location"]).json()

    assert shades_of(job["photos"]) == ["tomato", "olive", "navy", "gold"]
    listed = alice_client.get("/api/v1/jobs/").json()["results"][0]["photos"]
    assert [photo["id"] for photo in listed] == [photo["id"] for photo in job["photos"]]


def test_it_refuses_more_photos_than_allowed_before_decoding(alice_client, pages, media_root, monkeypatch):
    monkeypatch.setattr(services, "image_normalize", lambda *a, **k: pytest.fail("decoded"))

    r = photos_upload(alice_client, *pages(5))

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "too_many_photos"
    assert r.json()["error"]["details"] == {"max_photos": 4}
    assert_nothing_stored(media_root)


def test_it_stops_reading_at_the_part_past_the_limit(alice_client, media_root):
    parts = [SimpleUploadedFile(f"page{i}.jpg", b"\xff\xd8\xff" + b"\0" * 200_000) for i in range(5)]
    body = encode_multipart(BOUNDARY, {"image": parts})
    payload = CountingPayload(body)

    r = alice_client.generic(
        "POST", URL, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(len(body)), **{"wsgi.input": payload}
    )

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "too_many_photos"
    assert payload.read_bytes < len(body) - 100_000  # the fifth image was never read
    assert_nothing_stored(media_root)


def test_it_applies_the_byte_limit_to_each_photo_not_to_the_upload(alice_client, pages, settings):
    images = pages(4)
    settings.PHOTO_MAX_BYTES = max(len(image) for image in images) + 10
    assert sum(len(image) for image in images) > settings.PHOTO_MAX_BYTES

    assert photos_upload(alice_client, *images).status_code == 202


def test_it_follows_the_photo_count_setting(alice_client, pages, settings, media_root):
    settings.PHOTO_MAX_PER_JOB = 2

    assert photos_upload(alice_client, *pages(3)).json()["error"]["code"] == "too_many_photos"
    assert photos_upload(alice_client, *pages(2)).status_code == 202


@pytest.mark.parametrize(
    "bad, status, code", [(b"not a picture", 415, "unsupported_media_type"), ("tiny", 422, "image_too_small")]
)
def test_it_refuses_the_whole_upload_for_one_bad_photo(alice_client, pages, picture, media_root, bad, status, code):
    bad = picture("JPEG", size=(40, 40)) if bad == "tiny" else bad
    images = pages(2) + [bad]

    r = photos_upload(alice_client, *images)

    assert r.status_code == status
    assert r.json()["error"]["code"] == code
    assert_nothing_stored(media_root)


def test_it_leaves_no_file_when_a_later_photo_cannot_be_stored(alice_client, pages, media_root, monkeypatch):
    real_save, saved = FileSystemStorage.save, []

    def save(self, name, content, max_length=None):
        if len(saved) == 4:  # the third photo's working copy
            raise OSError("disk full")
        saved.append(name)
        return real_save(self, name, content, max_length)

    monkeypatch.setattr(FileSystemStorage, "save", save)

    r = photos_upload(alice_client, *pages(3))

    assert r.status_code == 500
    assert_nothing_stored(media_root)


def test_it_counts_a_several_photo_upload_as_one_job_in_flight(alice_client, pages, picture, settings):
    settings.JOB_MAX_IN_FLIGHT = 2

    assert photos_upload(alice_client, *pages(4)).status_code == 202
    assert photos_upload(alice_client, picture("PNG", color="pink")).status_code == 202
    r = photos_upload(alice_client, picture("PNG", color="plum"), picture("PNG", color="peru"))

    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_jobs"
    assert Job.objects.count() == 2


def test_it_points_location_at_the_one_job(alice_client, pages):
    r = photos_upload(alice_client, *pages(2))

    assert r["Location"] == f"http://testserver/api/v1/jobs/{Job.objects.get().id}/"


def test_it_reads_a_photo_sent_twice_in_one_upload_twice_but_stores_it_once(alice_client, picture, media_root):
    page = picture("JPEG", color="olive")

    r = photos_upload(alice_client, page, picture("JPEG", color="navy"), page)

    assert r.status_code == 202
    photos = [photo["id"] for photo in r.json()["photos"]]
    assert photos[0] == photos[2] != photos[1]
    assert Photo.objects.count() == 2
    assert len(stored_files(media_root)) == 4
    assert JobPhoto.objects.count() == 3


def test_it_keeps_another_users_photos_out_of_reach(alice_client, bob_client, pages):
    r = photos_upload(alice_client, *pages(2))

    assert bob_client.get(r["Location"]).status_code == 404
    assert bob_client.get("/api/v1/jobs/").json()["results"] == []
