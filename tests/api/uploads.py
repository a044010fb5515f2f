"""Sending photos to the upload route as the app does, and counting what it
left behind: shared by the upload tests."""

from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.models import Job, Photo

URL = "/api/v1/photos/"


def photos_upload(client, *images: bytes, names=None, key=None, **fields):
    """POST `images` as the `image` parts of one multipart upload, with the
    form `fields` and, given `key`, an Idempotency-Key header."""
    names = names or [f"page{i}.jpg" for i in range(len(images))]
    parts = [SimpleUploadedFile(name, image, content_type="image/jpeg") for name, image in zip(names, images)]
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(URL, {"image": parts, **fields}, format="multipart", headers=headers)


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def assert_nothing_stored(media_root):
    assert not Photo.objects.exists()
    assert not Job.objects.exists()
    assert stored_files(media_root) == []


def unsigned(body):
    """`body` with its photo URLs and their expiry taken out: they are signed
    afresh each second, so two answers a moment apart differ only there."""
    if isinstance(body, list):
        return [unsigned(item) for item in body]
    if not isinstance(body, dict):
        return body
    signed = {"image", "thumbnail", "expires_at", "thumbnail_expires_at"} if "blurhash" in body else set()
    return {key: unsigned(value) for key, value in body.items() if key not in signed}
