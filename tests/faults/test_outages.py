"""The broker and the database may blink: uploads keep being accepted, and
every job finishes once they are back, with no manual step."""

import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from recipes_api.photos.models import Job
from tests.faults.conftest import PHOTO, all_finished, job_state, recipes_of, wait_until
from tests.live import ApiServer, WorkerProcess, database_url, free_port

pytestmark = pytest.mark.services


class RedisServer:
    """A redis-server of the test's own, on a spare port, to stop and start."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / "redis.log"
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            assert time.monotonic() < deadline, self.log_path.read_text()
            time.sleep(0.1)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server.start()
    server.stop()


def test_uploads_are_accepted_while_the_broker_is_down_and_finish_once_it_is_back(
    fault_env, redis_server, alice, tmp_path
):
    env = fault_env(CELERY_BROKER_URL=redis_server.url, JOB_REDISPATCH_SECONDS=5)
    headers = {"Authorization": f"Bearer {AccessToken.for_user(alice)}"}
    with ApiServer(env, log_dir=tmp_path) as api, WorkerProcess(env, log_dir=tmp_path) as worker:
        worker.wait_ready()
        redis_server.stop()

        answers = []
        for _ in range(3):
            started = time.monotonic()
            answers.append(
                requests.post(
                    f"{api.url}/api/v1/photos/",
                    headers=headers,
                    files={"image": PHOTO.open("rb")},
                    data={"reprocess": "true"},  # the same photo, but a job each time
                    timeout=30,
                )
            )
            assert time.monotonic() - started < 10, "an upload hung on the broker"
        assert [answer.status_code for answer in answers] == [202, 202, 202], answers[0].text
        jobs = [Job.objects.get(id=answer.json()["id"]) for answer in answers]
        # The broker took none of them. A worker's sweep may be trying to
        # ring one right now (it marks the job while it tries) and lets go
        # when the broker refuses.
        wait_until(
            lambda: all(job_state(job).dispatched_at is None for job in jobs),
            timeout=30,
            why="the sweep to let go of jobs it could not send",
            processes=[api, worker],
        )
        assert all(job_state(job).status == "queued" for job in jobs)

        redis_server.start()
        wait_until(lambda: all_finished(jobs), timeout=180, why="every job after the outage", processes=[api, worker])

    for job in jobs:
        assert (job_state(job).status, recipes_of(job)) == ("succeeded", 1)


def test_a_job_finishes_when_the_database_drops_the_workers_connections(fault_env, script, upload, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; the PostgreSQL pass runs this")
    script("slow:20")
    env = fault_env(DATABASE_URL=database_url(application_name="platepilot-worker"))
    with WorkerProcess(env, log_dir=tmp_path) as worker:
        worker.wait_ready()
        job = upload()
        wait_until(lambda: job_state(job).stage == "generating", why="generation", processes=[worker])

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'platepilot-worker'"
            )
            assert cursor.fetchall(), "the worker had no connection to drop"

        wait_until(lambda: all_finished([job]), why="the job to finish", processes=[worker])
        assert "database error" in worker.log() or "heartbeat for job" in worker.log()

    assert (job_state(job).status, job_state(job).attempts, recipes_of(job)) == ("succeeded", 1, 1)
