"""Photos on S3-compatible storage, in-process against moto's mock of S3:
the same services and serializer, the bucket's presigned URLs instead of the
local signed route. (tests/worker/test_object_storage.py runs the whole flow
with separate API and worker hosts against a real S3 server on loopback.)"""

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws

from recipes_api.photos.files import photo_file_urls
from recipes_api.photos.services import photo_accept, photo_delete, photo_read

BUCKET = "platepilot-photos"


@pytest.fixture
def bucket(settings, monkeypatch):
    """An empty mocked bucket, configured as the media storage."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket=BUCKET)
        default = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
            },
        }
        settings.STORAGES = {**settings.STORAGES, "default": default}
        yield s3


def keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_it_stores_reads_and_deletes_photos_in_the_bucket(
    bucket, alice, picture, settings, django_capture_on_commit_callbacks
):
    settings.PHOTO_KEEP_ORIGINAL = True
    job = photo_accept(owner=alice, upload=SimpleUploadedFile("dish.png", picture("PNG")))

    prefix = f"photos/{alice.id}/{job.photo_id}"
    assert keys(bucket) == [f"{prefix}.jpg", f"{prefix}.original.png", f"{prefix}.thumb.webp"]
    assert photo_read(photo=job.photo)[:2] == b"\xff\xd8"

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=job.photo)

    assert keys(bucket) == []


def test_it_gives_the_buckets_presigned_urls_with_the_photo_url_lifetime(bucket, alice, picture, settings):
    settings.PHOTO_URL_TTL = 600
    job = photo_accept(owner=alice, upload=SimpleUploadedFile("dish.png", picture("PNG")))

    urls = photo_file_urls(photo=job.photo)

    for variant, name in (("image", job.photo.image.name), ("thumbnail", job.photo.thumbnail.name)):
        url = urlsplit(urls[variant])
        query = parse_qs(url.query)
        assert url.path.endswith(name)
        assert query["X-Amz-Expires"] == ["600"]
        assert "X-Amz-Signature" in query
