"""GET /api/v1/photos/{id}/{image,thumbnail}/?sig=...: the signed, expiring
URLs in a photo object, as an <img src> fetches them (no token)."""

import time
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.services import photo_accept, photo_delete

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def photo_of(alice_client, picture):
    """photo_of(client) -> the photo object of a fresh upload by that client's user."""

    def make(client=alice_client) -> dict:
        image = SimpleUploadedFile("dish.png", picture("PNG", size=(800, 600)), content_type="image/png")
        r = client.post("/api/v1/photos/", {"image": image}, format="multipart")
        assert r.status_code == 202
        return r.json()["photo"]

    return make


@pytest.fixture
def later(monkeypatch):
    """later(seconds) -> the clock (and so every signature check) moves on."""

    def move(seconds: float) -> None:
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + seconds)

    return move


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored(photo_id: str, variant: str) -> bytes:
    from recipes_api.photos.models import Photo

    file = getattr(Photo.objects.get(id=photo_id), variant)
    with file.storage.open(file.name, "rb") as opened:
        return opened.read()


def assert_refused(response, status: int, code: str):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == code


def test_it_serves_the_image_at_its_signed_url_without_a_token(anon_client, photo_of):
    photo = photo_of()

    r = anon_client.get(path_of(photo["image"]))

    assert r.status_code == 200
    assert body(r) == stored(photo["id"], "image")
    assert r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff"
    directive, max_age = r["Cache-Control"].split(", ")
    assert directive == "private"
    assert 3590 <= int(max_age.removeprefix("max-age=")) <= 3600


def test_it_serves_the_thumbnail_as_webp(anon_client, photo_of):
    photo = photo_of()

    r = anon_client.get(path_of(photo["thumbnail"]))

    assert r.status_code == 200
    assert r["Content-Type"] == "image/webp"
    served = body(r)
    assert served[8:12] == b"WEBP"
    assert served == stored(photo["id"], "thumbnail")


def test_it_serves_the_url_until_it_expires(anon_client, photo_of, later):
    photo = photo_of()

    later(3590)
    assert anon_client.get(path_of(photo["image"])).status_code == 200
    later(3605)
    assert_refused(anon_client.get(path_of(photo["image"])), 403, "url_expired")


def test_it_follows_the_configured_lifetime(anon_client, photo_of, later, settings):
    settings.PHOTO_URL_TTL = 60
    photo = photo_of()

    later(61)

    assert_refused(anon_client.get(path_of(photo["image"])), 403, "url_expired")


def test_it_refuses_a_tampered_signature(anon_client, photo_of):
    url = path_of(photo_of()["image"])
    tampered = url[:-1] + ("A" if url[-1] != "A" else "B")

    assert_refused(anon_client.get(tampered), 404, "not_found")


def test_it_refuses_an_unsigned_url(anon_client, photo_of):
    photo = photo_of()

    assert_refused(anon_client.get(f"/api/v1/photos/{photo['id']}/image/"), 404, "not_found")
    assert_refused(anon_client.get(f"/api/v1/photos/{photo['id']}/image/?sig="), 404, "not_found")


def test_it_refuses_the_thumbnails_signature_for_the_image(anon_client, photo_of):
    photo = photo_of()
    signature = urlsplit(photo["thumbnail"]).query

    assert_refused(anon_client.get(f"/api/v1/photos/{photo['id']}/image/?{signature}"), 404, "not_found")


def test_it_refuses_one_photos_signature_for_another(anon_client, photo_of, bob_client):
    alices, bobs = photo_of(), photo_of(bob_client)
    signature = urlsplit(alices["image"]).query

    assert_refused(anon_client.get(f"/api/v1/photos/{bobs['id']}/image/?{signature}"), 404, "not_found")


def test_it_never_serves_the_original(anon_client, photo_of, settings):
    settings.PHOTO_KEEP_ORIGINAL = True
    photo = photo_of()
    signature = urlsplit(photo["image"]).query

    assert_refused(anon_client.get(f"/api/v1/photos/{photo['id']}/original/?{signature}"), 404, "not_found")


def test_it_stops_serving_a_deleted_photo(anon_client, photo_of, alice, django_capture_on_commit_callbacks):
    photo = photo_of()
    from recipes_api.photos.models import Photo

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=Photo.objects.get(id=photo["id"]))

    assert_refused(anon_client.get(path_of(photo["image"])), 404, "not_found")


def test_it_gives_media_no_public_path(anon_client, alice, picture, media_root):
    job = photo_accept(owner=alice, upload=SimpleUploadedFile("dish.png", picture("PNG")))

    assert anon_client.get(f"/media/{job.photo.image.name}").status_code == 404
    assert anon_client.get(f"/{job.photo.image.name}").status_code == 404
