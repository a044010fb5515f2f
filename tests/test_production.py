"""Production mode (PRODUCTION=true): passes Django's deploy checks with the
environment the README documents, refuses to start without SECRET_KEY, and
lets any API host accept the tokens another one signed."""

import subprocess
import sys

import pytest
import requests

from tests.live import ROOT, ApiServer, live_env

SECRET_KEY = "x7Lq2-Vb9Rz4Nw1Tc8Hk3Pm6Yd0Sf5Gj2Ue7Ao4Ki9Wr1Zx6Cv3Bn8Mt5Ql0Ep2Ha7"
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS proxy adds


def production_env(data_dir, **extra) -> dict:
    """The documented production environment, on this run's database, with
    its own data folder (so no key file could be shared by accident)."""
    return live_env(
        PRODUCTION="true",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="api.example.org,127.0.0.1",
        DATA_DIR=str(data_dir),
        **extra,
    )


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_the_deploy_checks(tmp_path):
    # Nothing connects to these: the deploy checks read settings only.
    env = production_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CACHE_URL="redis://127.0.0.1:6379/1")

    done = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    done = manage(env, "check")

    assert done.returncode == 3
    assert done.stderr.splitlines() == [
        "platepilot: PRODUCTION=true needs SECRET_KEY: set the same secret on every API host and worker."
    ]
    assert not (tmp_path / "secret_key").exists()


def test_it_keeps_debug_off(tmp_path):
    env = production_env(tmp_path, DEBUG="true")

    done = manage(env, "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)")

    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.services
def test_it_accepts_a_token_signed_by_another_api_host(transactional_db, tmp_path):
    for host in ("one", "two"):
        (tmp_path / host).mkdir()
    one = ApiServer(production_env(tmp_path / "one"), workers=1, log_dir=tmp_path / "one")
    two = ApiServer(production_env(tmp_path / "two"), workers=1, log_dir=tmp_path / "two")
    with one, two:
        # Registered over HTTP: the test run's own password hasher is not production's.
        alice = {"username": "alice", "password": "tomato-basil-77"}
        assert requests.post(f"{one.url}/api/v1/auth/register/", json=alice, headers=HTTPS).status_code == 201
        pair = requests.post(f"{one.url}/api/v1/auth/token/", json=alice, headers=HTTPS).json()

        bearer = {"Authorization": f"Bearer {pair['access']}"}
        jobs = requests.get(f"{two.url}/api/v1/jobs/", headers=HTTPS | bearer)
        refresh = {"refresh": pair["refresh"]}
        refreshed = requests.post(f"{two.url}/api/v1/auth/token/refresh/", json=refresh, headers=HTTPS)

    assert jobs.status_code == 200, jobs.text
    assert refreshed.status_code == 200, refreshed.text


def test_it_sends_plain_http_to_https_except_the_probes(transactional_db, tmp_path):
    with ApiServer(production_env(tmp_path), workers=1, log_dir=tmp_path) as api:
        plain = requests.get(f"{api.url}/api/v1/jobs/", allow_redirects=False)
        secure = requests.get(f"{api.url}/api/v1/jobs/", headers=HTTPS, allow_redirects=False)
        probes = [requests.get(f"{api.url}/{probe}", allow_redirects=False) for probe in ("healthz", "readyz")]

    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{api.port}/api/v1/jobs/"
    assert secure.status_code == 401  # through to the API, which wants a token
    assert "includeSubDomains" in secure.headers["Strict-Transport-Security"]
    assert all(r.status_code in (200, 503) for r in probes)
