"""API and worker on separate hosts: each with its own data folder, sharing
only PostgreSQL, Redis and an S3-compatible bucket (moto's server, started
here on loopback). Photo in, recipe out, the photo shown from the bucket,
then deleted from it."""

import secrets
import shutil

import boto3
import pytest
import requests
from django.conf import settings
from django.db import connection
from moto.server import ThreadedMotoServer

from tests.live import ApiServer, WorkerProcess, free_port, live_env
from tests.worker.test_end_to_end import PHOTO, Phone
from vision.tiny import tiny_checkpoint_build

pytestmark = pytest.mark.services

BUCKET = "platepilot-photos"
KEYS = {"S3_ACCESS_KEY_ID": "platepilot-test", "S3_SECRET_ACCESS_KEY": "platepilot-test-secret"}


@pytest.fixture
def s3_endpoint():
    """An S3 server on loopback with one empty bucket: its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        bucket_client(url).create_bucket(Bucket=BUCKET)
        yield url
    finally:
        server.stop()


def bucket_client(url: str):
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
    )


def bucket_keys(url: str) -> list[str]:
    listed = bucket_client(url).list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture
def hosts(transactional_db, s3_endpoint, tmp_path):
    """(api, worker, their data folders): two "hosts" configured as the README's
    object storage section says, with nothing on disk in common."""
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("separate hosts share a database and a broker over the network: PostgreSQL and Redis")
    folders = {name: tmp_path / name for name in ("api", "worker")}
    # The worker host's own copy of the tiny model (a host downloads its own
    # weights); copied rather than rebuilt, to save the build.
    tiny = tiny_checkpoint_build(settings.VISION_MODELS_DIR)
    shutil.copytree(tiny, folders["worker"] / "models" / tiny.name)
    shared = {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        **KEYS,
        "SECRET_KEY": secrets.token_urlsafe(50),  # the same on every host, as production demands
        "VISION_TORCH_THREADS": 1,
    }
    with (
        ApiServer(live_env(**shared, DATA_DIR=folders["api"]), workers=1, log_dir=tmp_path) as api,
        WorkerProcess(live_env(**shared, DATA_DIR=folders["worker"]), name="s3-worker", log_dir=tmp_path) as worker,
    ):
        yield api, worker.wait_ready(), folders


def media_files(folders) -> list:
    return [path for folder in folders.values() for path in (folder / "media").rglob("*") if path.is_file()]


def test_it_reads_shows_and_deletes_a_photo_through_the_bucket(hosts, s3_endpoint):
    api, worker, folders = hosts
    alice, bob = Phone(api.url, "alice"), Phone(api.url, "bob")

    accepted = alice.upload(PHOTO)
    assert accepted.status_code == 202, accepted.text
    photo = accepted.json()["photo"]
    assert len(bucket_keys(s3_endpoint)) == 2  # working copy and thumbnail

    job = alice.wait_for(accepted.headers["Location"])
    assert job["status"] == "succeeded", (job, worker.log()[-6000:])

    recipe = alice.get(f"/api/v1/recipes/{job['recipe']}/").json()
    assert recipe["photo"]["id"] == photo["id"]
    image_url = recipe["photo"]["image"]
    assert image_url.startswith(f"{s3_endpoint}/{BUCKET}/photos/")
    assert "X-Amz-Signature=" in image_url
    shown = requests.get(image_url, timeout=30)  # no token: the presigned URL is the capability
    assert shown.status_code == 200
    assert shown.content[:2] == b"\xff\xd8"
    thumbnail = requests.get(recipe["photo"]["thumbnail"], timeout=30)
    assert thumbnail.status_code == 200 and thumbnail.content[8:12] == b"WEBP"
    assert media_files(folders) == []  # neither host kept a photo on its disk

    photo_url = f"{api.url}/api/v1/photos/{photo['id']}/"
    assert requests.delete(photo_url, headers=bob.headers, timeout=30).status_code == 404
    assert requests.delete(photo_url, headers=alice.headers, timeout=30).status_code == 204

    assert bucket_keys(s3_endpoint) == []
    assert requests.get(image_url, timeout=30).status_code == 404
    assert alice.get(f"/api/v1/recipes/{job['recipe']}/").json()["photo"] is None
    assert alice.get(photo_url).status_code == 404
