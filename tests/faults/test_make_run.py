"""Ctrl-C on `make run` while a job runs, as a new user would do it: the job
is given back to the queue, and the next `make run` finishes it."""

import os
import shutil
import signal
import subprocess
import time

import requests
from django.conf import settings

from tests.faults.conftest import PHOTO, wait_until
from tests.live import ROOT, free_port


class MakeRun:
    """`make run` in its own process group, as a terminal runs it."""

    def __init__(self, env: dict, log_path):
        self.env, self.log_path, self.url = env, log_path, f"http://127.0.0.1:{env['PORT']}"

    def start(self):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            ["make", "run"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_until(self.answers, timeout=180, why="make run to serve", processes=[self])
        return self

    def answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def ctrl_c(self) -> int:
        """What Ctrl-C does: SIGINT to the terminal's foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=60)

    name = "make run"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def test_ctrl_c_while_a_job_runs_gives_it_back_and_the_next_run_finishes_it(script, tmp_path):
    data = tmp_path / "data"
    # The tiny checkpoint is built deterministically; reuse this run's copy.
    shutil.copytree(settings.VISION_MODELS_DIR, data / "models")
    script("slow:50")
    env = os.environ | {
        "DATA_DIR": str(data),
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        "VISION_MODEL": "tiny",
        "VISION_BACKEND": "tests.faults.backends:ScriptedBackend",
        "FAULT_SCRIPT": str(script.path),
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)

    run = MakeRun(env, tmp_path / "make-run.log").start()
    phone = requests.Session()
    credentials = {"username": "alice", "password": "a-long-pass-phrase"}
    assert phone.post(f"{run.url}/api/v1/auth/register/", json=credentials).status_code == 201
    token = phone.post(f"{run.url}/api/v1/auth/token/", json=credentials).json()["access"]
    phone.headers["Authorization"] = f"Bearer {token}"
    accepted = phone.post(f"{run.url}/api/v1/photos/", files={"image": PHOTO.open("rb")})
    assert accepted.status_code == 202, accepted.text
    job_url = accepted.headers["Location"]

    def job() -> dict:
        return phone.get(job_url, timeout=10).json()

    wait_until(lambda: job()["stage"] == "generating", why="generation", processes=[run])
    started = time.monotonic()
    run.ctrl_c()
    assert time.monotonic() - started < 15, "make run took too long to stop"

    run.start()
    given_back = job()  # read before the new worker gets to it, or after: never lost
    assert given_back["status"] in ("queued", "running", "succeeded"), given_back
    wait_until(lambda: job()["status"] in ("succeeded", "failed"), why="the job to finish", processes=[run])
    finished = job()
    library = phone.get(f"{run.url}/api/v1/recipes/").json()["results"]
    run.ctrl_c()

    assert (finished["status"], finished["attempts"]) == ("succeeded", 2), run.log()[-4000:]
    assert [recipe["id"] for recipe in library] == [finished["recipe"]]
    assert "giving the job back to the queue" in run.log()
