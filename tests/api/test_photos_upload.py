import io

import blurhash
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, FakePayload, encode_multipart
from PIL import Image

from recipes_api.photos import services
from recipes_api.photos.models import Job, Photo
from tests.api.uploads import assert_nothing_stored, stored_files

URL = "/api/v1/photos/"

pytestmark = pytest.mark.usefixtures("media_root")


def upload(client, content: bytes, *, name="dish.jpg", content_type="image/jpeg", **fields):
    image = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(URL, {"image": image, **fields}, format="multipart")


MULTIPART = MULTIPART_CONTENT
BOUNDARY = MULTIPART_CONTENT.split("boundary=")[1]


class CountingPayload(FakePayload):
    """A request body that counts how much of it the server reads."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.read_bytes += len(data)
        return data


def opened(file) -> Image.Image:
    with file.storage.open(file.name, "rb") as stored:
        return Image.open(io.BytesIO(stored.read()))


def test_it_answers_202_with_a_queued_job(alice_client, alice, picture):
    r = upload(alice_client, picture("JPEG"))

    assert r.status_code == 202
    job = Job.objects.get()
    assert job.owner == alice
    body = r.json()
    assert body["id"] == str(job.id)
    assert body["status"] == "queued"
    assert body["stage"] == "queued"
    assert body["mode"] == "auto"
    assert body["language"] == ""
    assert body["photo"]["id"] == str(job.photo_id)
    assert body["recipe"] is None
    assert body["error"] is None
    assert body["attempts"] == 0


def test_it_points_location_at_the_job(alice_client, picture):
    r = upload(alice_client, picture("JPEG"))

    job = Job.objects.get()
    assert r["Location"] == f"http://testserver/api/v1/jobs/{job.id}/"
    assert alice_client.get(r["Location"]).json()["id"] == str(job.id)


def test_it_stores_the_photo_under_a_path_made_of_ids(alice_client, alice, picture, media_root):
    upload(alice_client, picture("JPEG"), name="my holiday in Nice.jpg")

    photo = Photo.objects.get()
    assert photo.image.name == f"photos/{alice.id}/{photo.id}.jpg"
    assert photo.thumbnail.name == f"photos/{alice.id}/{photo.id}.thumb.webp"
    assert sorted(stored_files(media_root)) == [media_root / photo.image.name, media_root / photo.thumbnail.name]
    assert (photo.width, photo.height) == (400, 300)
    assert photo.bytes == len(services.photo_read(photo=photo))
    assert len(photo.sha256) == 64


def test_it_applies_exif_rotation_and_drops_all_metadata(alice_client, sideways_jpeg):
    r = upload(alice_client, sideways_jpeg)

    assert r.status_code == 202
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (300, 400)
    for stored in (opened(photo.image), opened(photo.thumbnail)):
        width, height = stored.size
        assert width * 4 == height * 3
        assert not stored.getexif()
        assert "exif" not in stored.info
        # Turned clockwise, the red left half is now on top.
        red, _, blue = stored.convert("RGB").getpixel((width // 2, height // 10))
        assert red > 200 and blue < 60
        red, _, blue = stored.convert("RGB").getpixel((width // 2, height * 9 // 10))
        assert blue > 200 and red < 60


def test_it_flattens_a_transparent_png_on_white(alice_client, picture):
    r = upload(alice_client, picture("PNG", mode="RGBA", color=(0, 0, 0, 0)), name="cut-out.png")

    assert r.status_code == 202
    stored = Image.open(io.BytesIO(services.photo_read(photo=Photo.objects.get())))
    assert stored.mode == "RGB"
    assert all(channel > 245 for channel in stored.getpixel((10, 10)))


@pytest.mark.parametrize(
    "fmt, name, content_type, source_format",
    [
        ("JPEG", "dish.jpg", "image/jpeg", "jpeg"),
        ("MPO", "dish.jpg", "image/jpeg", "jpeg"),
        ("PNG", "dish.png", "image/png", "png"),
        ("WEBP", "dish.webp", "image/webp", "webp"),
        ("HEIF", "IMG_0001.HEIC", "image/heic", "heic"),
        ("AVIF", "dish.avif", "image/avif", "avif"),
    ],
)
def test_it_accepts_each_format(alice_client, picture, fmt, name, content_type, source_format):
    save = {"save_all": True, "append_images": [Image.new("RGB", (400, 300))]} if fmt == "MPO" else {}

    r = upload(alice_client, picture(fmt, **save), name=name, content_type=content_type)

    assert r.status_code == 202
    photo = Photo.objects.get()
    assert photo.source_format == source_format
    assert opened(photo.image).format == "JPEG"
    assert opened(photo.thumbnail).format == "WEBP"


def test_it_turns_an_iphone_heic_upright_and_drops_its_gps(alice_client, picture, phone_exif):
    heic = picture("HEIF", size=(400, 300), exif=phone_exif)

    r = upload(alice_client, heic, name="IMG_0001.HEIC", content_type="image/heic")

    assert r.status_code == 202
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (300, 400)
    for file in (photo.image, photo.thumbnail):
        content = file.storage.open(file.name).read()
        assert b"GPS" not in content and b"PlatePhone" not in content


def test_it_caps_the_working_copy_and_the_thumbnail(alice_client, picture):
    r = upload(alice_client, picture("JPEG", size=(4000, 3000)))

    assert r.status_code == 202
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)
    assert opened(photo.image).size == (1600, 1200)
    assert opened(photo.thumbnail).size == (384, 288)


def test_it_follows_the_size_settings(alice_client, picture, settings):
    settings.PHOTO_MAX_SIDE, settings.PHOTO_THUMBNAIL_SIDE = 800, 200

    upload(alice_client, picture("JPEG", size=(3000, 4000)))

    photo = Photo.objects.get()
    assert opened(photo.image).size == (600, 800)
    assert opened(photo.thumbnail).size == (150, 200)


def test_it_records_a_blurhash(alice_client, picture):
    upload(alice_client, picture("JPEG", color=(30, 160, 40)))

    painted = blurhash.decode(Photo.objects.get().blurhash, 4, 3)
    red, green, blue = painted.getpixel((2, 1))
    assert green > 120 and red < 80 and blue < 80


def test_it_does_not_keep_the_original_by_default(alice_client, picture, media_root):
    upload(alice_client, picture("HEIF"), name="IMG_0001.HEIC")

    photo = Photo.objects.get()
    assert not photo.original
    assert len(stored_files(media_root)) == 2


def test_it_keeps_the_original_when_told(alice_client, alice, picture, settings):
    settings.PHOTO_KEEP_ORIGINAL = True
    heic = picture("HEIF")

    upload(alice_client, heic, name="my holiday.HEIC")

    photo = Photo.objects.get()
    assert photo.original.name == f"photos/{alice.id}/{photo.id}.original.heic"
    assert photo.original.storage.open(photo.original.name).read() == heic


def test_it_reads_the_format_from_the_bytes_not_the_name(alice_client, picture):
    r = upload(alice_client, picture("PNG"), name="dish.gif", content_type="image/gif")

    assert r.status_code == 202


def test_it_keeps_mode_and_language(alice_client, picture):
    r = upload(alice_client, picture("JPEG"), mode="recipe_card", language="pt-BR")

    assert r.status_code == 202
    job = Job.objects.get()
    assert (job.mode, job.language) == ("recipe_card", "pt-BR")


def test_it_rings_the_worker_once_the_job_is_committed(
    alice_client, picture, monkeypatch, django_capture_on_commit_callbacks
):
    rung = []
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: rung.append(job_id) or True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(alice_client, picture("JPEG"))
    assert rung == []  # nothing is sent before the commit

    for callback in callbacks:
        callback()
    assert rung == [Job.objects.get().id]
    assert Job.objects.get().dispatched_at is not None  # the sweep leaves it be


def test_it_keeps_the_job_queued_when_the_broker_is_down(
    alice_client, picture, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: False)

    with django_capture_on_commit_callbacks(execute=True):
        r = upload(alice_client, picture("JPEG"))

    assert r.status_code == 202
    assert Job.objects.get().status == Job.Status.QUEUED
    assert Job.objects.get().dispatched_at is None  # what the sweep looks for


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"mode": "painting"}, "mode"),
        ({"language": "english please"}, "language"),
        ({"language": "e"}, "language"),
        ({"language": "en-" + "x" * 40}, "language"),
    ],
)
def test_it_rejects_bad_form_fields(alice_client, picture, media_root, fields, field):
    r = upload(alice_client, picture("JPEG"), **fields)

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid"
    assert field in r.json()["error"]["details"]
    assert_nothing_stored(media_root)


def test_it_requires_an_image(alice_client, media_root):
    r = alice_client.post(URL, {"mode": "auto"}, format="multipart")

    assert r.status_code == 400
    assert "image" in r.json()["error"]["details"]
    assert_nothing_stored(media_root)


def test_it_rejects_a_gif_with_415(alice_client, picture, media_root):
    r = upload(alice_client, picture("GIF"), name="dish.jpg")

    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"
    assert_nothing_stored(media_root)


def test_it_rejects_a_text_file_with_415(alice_client, media_root):
    r = upload(alice_client, b"just some words, not a dish", name="dish.jpg")

    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"
    assert_nothing_stored(media_root)


def test_it_rejects_a_truncated_jpeg_with_422(alice_client, picture, media_root):
    whole = picture("JPEG", size=(256, 256), color="olive")

    r = upload(alice_client, whole[: len(whole) // 2])

    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_image"
    assert_nothing_stored(media_root)


def test_it_rejects_too_many_pixels_with_413(alice_client, png_header, settings, media_root):
    settings.PHOTO_MAX_PIXELS = 1_000_000

    r = upload(alice_client, png_header(2000, 1000), name="dish.png")

    assert r.status_code == 413
    assert r.json()["error"]["code"] == "image_too_large"
    assert_nothing_stored(media_root)


def test_it_rejects_a_decompression_bomb_with_413(alice_client, png_header, media_root):
    r = upload(alice_client, png_header(40_000, 40_000), name="dish.png")

    assert r.status_code == 413
    assert r.json()["error"]["code"] == "image_too_large"
    assert_nothing_stored(media_root)


def test_it_rejects_too_many_bytes_with_413(alice_client, picture, settings, media_root):
    settings.PHOTO_MAX_BYTES = 1000

    r = upload(alice_client, picture("PNG", size=(64, 64), mode="RGB", color="white") + b"\0" * 1000)

    assert r.status_code == 413
    assert r.json()["error"]["code"] == "photo_too_large"
    assert_nothing_stored(media_root)


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if the upload gets as far as being decoded."""

    def decode(*args, **kwargs):
        raise AssertionError("the upload should have been stopped while it streamed")

    monkeypatch.setattr(services, "image_normalize", decode)


@pytest.mark.usefixtures("no_decoding")
def test_it_refuses_a_body_whose_length_is_over_the_limit(alice_client, settings, media_root):
    settings.PHOTO_MAX_BYTES = 1000

    r = upload(alice_client, b"\xff\xd8\xff" + b"\0" * 200_000)

    assert r.status_code == 413
    assert r.json()["error"]["code"] == "photo_too_large"
    assert_nothing_stored(media_root)


@pytest.mark.usefixtures("no_decoding")
def test_it_stops_a_file_over_the_limit_while_it_streams(alice_client, settings, media_root):
    settings.PHOTO_MAX_BYTES = 100_000  # the body as a whole passes, the file does not

    r = upload(alice_client, b"\xff\xd8\xff" + b"\0" * 120_000)

    assert r.status_code == 413
    assert r.json()["error"]["code"] == "photo_too_large"
    assert_nothing_stored(media_root)


@pytest.mark.parametrize(
    "size, code", [((1, 1), "image_too_small"), ((255, 1000), "image_too_small"), ((1900, 300), "extreme_aspect_ratio")]
)
def test_it_rejects_an_image_it_will_not_process_with_422(alice_client, picture, media_root, size, code):
    r = upload(alice_client, picture("PNG", size=size), name="dish.png")

    assert r.status_code == 422
    assert r.json()["error"]["code"] == code
    assert_nothing_stored(media_root)


def test_it_wants_multipart(alice_client, media_root):
    r = alice_client.post(URL, {"image": "aGVsbG8="}, format="json")

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "not_multipart"
    assert_nothing_stored(media_root)


def test_it_asks_a_chunked_upload_for_its_length(alice_client, picture, media_root):
    body = encode_multipart(BOUNDARY, {"image": SimpleUploadedFile("dish.jpg", picture("JPEG"))})

    r = alice_client.generic(
        "POST", URL, body, content_type=MULTIPART, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert r.status_code == 411
    assert r.json()["error"]["code"] == "length_required"
    assert_nothing_stored(media_root)


def test_it_refuses_an_oversized_body_without_reading_it(alice_client, settings, media_root):
    settings.PHOTO_MAX_BYTES = 1000
    body = encode_multipart(BOUNDARY, {"image": SimpleUploadedFile("dish.jpg", b"\xff\xd8\xff" + b"\0" * 500_000)})
    payload = CountingPayload(body)

    r = alice_client.generic("POST", URL, content_type=MULTIPART, CONTENT_LENGTH=str(len(body)), **{"wsgi.input": payload})

    assert r.status_code == 413
    assert payload.read_bytes == 0
    assert_nothing_stored(media_root)


def test_it_leaves_no_file_when_a_later_file_cannot_be_stored(alice_client, picture, media_root, monkeypatch):
    real_save = FileSystemStorage.save

    def save(self, name, content, max_length=None):
        if name.endswith(".webp"):
            raise OSError("disk full")
        return real_save(self, name, content, max_length)

    monkeypatch.setattr(FileSystemStorage, "save", save)

    r = upload(alice_client, picture("JPEG"))

    assert r.status_code == 500
    assert_nothing_stored(media_root)
