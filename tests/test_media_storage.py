"""MEDIA_STORAGE: the environment picks where photos live, and a half-set
S3 configuration is refused at start with one clear line."""

import subprocess
import sys

from tests.live import ROOT, live_env

SHOW_STORAGE = (
    "from django.conf import settings; default = settings.STORAGES['default'];"
    "print(default['BACKEND']); print(sorted((k, str(v)) for k, v in default['OPTIONS'].items()))"
)


def settings_of(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SHOW_STORAGE}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_it_keeps_photos_in_the_data_folder_by_default(tmp_path):
    done = settings_of(live_env(DATA_DIR=tmp_path, MEDIA_STORAGE=""))

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "django.core.files.storage.FileSystemStorage"
    assert str(tmp_path / "media") in done.stdout


def test_it_puts_photos_in_a_bucket_when_told(tmp_path):
    env = live_env(
        DATA_DIR=tmp_path,
        MEDIA_STORAGE="s3",
        S3_BUCKET="plates",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        S3_REGION="eu-west-3",
        PHOTO_URL_TTL=600,
    )

    done = settings_of(env)

    assert done.returncode == 0, done.stderr
    backend, options = done.stdout.splitlines()[:2]
    assert backend == "storages.backends.s3.S3Storage"
    for expected in ("('bucket_name', 'plates')", "('endpoint_url', 'http://127.0.0.1:9000')",
                     "('region_name', 'eu-west-3')", "('querystring_expire', '600')", "('default_acl', 'None')"):
        assert expected in options


def test_it_refuses_s3_without_a_bucket(tmp_path):
    done = settings_of(live_env(DATA_DIR=tmp_path, MEDIA_STORAGE="s3", S3_BUCKET=""))

    assert done.returncode == 3
    assert done.stderr.strip() == "platepilot: MEDIA_STORAGE=s3 needs S3_BUCKET."


def test_it_refuses_an_unknown_storage(tmp_path):
    done = settings_of(live_env(DATA_DIR=tmp_path, MEDIA_STORAGE="ftp"))

    assert done.returncode == 3
    assert "MEDIA_STORAGE must be local or s3" in done.stderr
