"""Readiness: /readyz answers 200 only while the database and the broker
answer and a worker has reported its model loaded recently; otherwise 503,
naming what is missing."""

import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from recipes_api.photos.models import WorkerHeartbeat
from recipes_api.photos.sweep import worker_report
from tests.live import ApiServer, WorkerProcess, free_port, live_env
from worker.celery import app


def a_worker_reports(*, seconds_ago: float = 0) -> None:
    worker_report(name="w1@kitchen", model_id="tiny", started_at=timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=seconds_ago))


def test_it_is_ready_when_everything_answers(client, db):
    a_worker_reports()

    r = client.get("/readyz")

    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "worker": "ok"}}


def test_it_names_the_worker_when_none_has_reported(client, db):
    r = client.get("/readyz")

    assert r.status_code == 503
    assert r.json() == {
        "status": "unavailable",
        "missing": ["worker"],
        "checks": {"database": "ok", "broker": "ok", "worker": "none"},
    }


def test_it_names_the_worker_when_its_report_is_stale(client, db, settings):
    settings.WORKER_STALE_SECONDS = 60
    a_worker_reports(seconds_ago=61)

    r = client.get("/readyz")

    assert r.status_code == 503
    assert r.json()["missing"] == ["worker"]
    assert r.json()["checks"]["worker"] == "stale"


def test_it_names_the_broker_when_it_does_not_answer(client, db, monkeypatch):
    a_worker_reports()
    # The URL the API publishes with, pointed at a port nothing listens on.
    monkeypatch.setattr(app.conf, "broker_write_url", f"redis://127.0.0.1:{free_port()}/0")

    started = time.monotonic()
    r = client.get("/readyz")

    assert time.monotonic() - started < 5
    assert r.status_code == 503
    assert r.json()["missing"] == ["broker"]
    assert r.json()["checks"]["broker"] == "unreachable"


def test_it_names_the_database_when_it_does_not_answer(tmp_path):
    env = live_env(database=f"postgres://platepilot@127.0.0.1:{free_port()}/platepilot")
    with ApiServer(env, workers=1, log_dir=tmp_path) as api:
        r = requests.get(f"{api.url}/readyz", timeout=10)

    assert r.status_code == 503
    assert r.json()["missing"] == ["database", "worker"]
    assert r.json()["checks"] == {"database": "unreachable", "broker": "ok", "worker": "unknown"}


def test_it_only_answers_reads(client):
    assert client.post("/readyz").status_code == 405


@pytest.mark.services
def test_it_turns_ready_once_a_real_worker_has_loaded_its_model(client, transactional_db, tmp_path):
    assert client.get("/readyz").status_code == 503

    with WorkerProcess(live_env(), log_dir=tmp_path) as worker:
        worker.wait_ready()
        deadline = time.monotonic() + 30
        while (r := client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)

    assert r.status_code == 200, (r.json(), worker.log())
    assert WorkerHeartbeat.objects.get().model_id
