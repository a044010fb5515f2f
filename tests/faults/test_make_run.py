"""`make run` as a new user runs it. A worker process killed mid-job (the
out-of-memory killer) is replaced while the API keeps answering. Ctrl-C while
a job runs gives the job back to the queue, and the next `make run` finishes it."""

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

    def _own_pids(self, pattern: str) -> list[int]:
        marker = f"DATA_DIR={self.env['DATA_DIR']}".encode()
        pids = []
        for pid in subprocess.run(["pgrep", "-f", pattern], capture_output=True).stdout.split():
            try:
                with open(f"/proc/{int(pid)}/environ", "rb") as environ:
                    if marker in environ.read().split(b"\0"):
                        pids.append(int(pid))
            except OSError:
                pass
        return pids

    def worker_pid(self) -> int:
        """The Celery worker itself, under its supervisor."""
        (pid,) = set(self._own_pids("bin/celery -A worker worker")) - set(self._own_pids("worker.supervise"))
        return pid

    def kill(self) -> None:
        """Whatever is left of this run, should the test fail half-way.
        honcho starts each process in a session of its own: find them by DATA_DIR."""
        for pid in self._own_pids("make run|honcho|recipes_api.wsgi|celery -A worker"):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

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


def test_a_killed_worker_is_replaced_and_ctrl_c_mid_job_loses_nothing(script, tmp_path):
    data = tmp_path / "data"
    # The tiny checkpoint is built deterministically; reuse this run's copy.
    shutil.copytree(settings.VISION_MODELS_DIR, data / "models")
    script("slow:50", "ok", "slow:50")
    env = os.environ | {
        "DATA_DIR": str(data),
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "1",
        "VISION_MODEL": "tiny",
        "VISION_BACKEND": "tests.faults.backends:ScriptedBackend",
        "FAULT_SCRIPT": str(script.path),
        "VISION_TORCH_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "JOB_LEASE_SECONDS": "3",
        "JOB_HEARTBEAT_SECONDS": "0.5",
        "JOB_SWEEP_SECONDS": "0.5",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)

    run = MakeRun(env, tmp_path / "make-run.log")
    try:
        _ctrl_c_mid_job_then_run_again(run, script)
    finally:
        run.kill()


def _ctrl_c_mid_job_then_run_again(run: MakeRun, script) -> None:
    run.start()
    phone = requests.Session()
    credentials = {"username": "alice", "password": "a-long-pass-phrase"}
    assert phone.post(f"{run.url}/api/v1/auth/register/", json=credentials).status_code == 201
    token = phone.post(f"{run.url}/api/v1/auth/token/", json=credentials).json()["access"]
    phone.headers["Authorization"] = f"Bearer {token}"

    def upload() -> str:
        # The same photo each time: reprocess asks for a new job (and model run) anyway.
        accepted = phone.post(
            f"{run.url}/api/v1/photos/", files={"image": PHOTO.open("rb")}, data={"reprocess": "true"}
        )
        assert accepted.status_code == 202, accepted.text
        return accepted.headers["Location"]

    def job(url: str) -> dict:
        return phone.get(url, timeout=10).json()

    def finished(url: str) -> dict:
        wait_until(lambda: job(url)["status"] in ("succeeded", "failed"), why="the job to finish", processes=[run])
        return job(url)

    # The out-of-memory killer takes the worker mid-job.
    oom = upload()
    wait_until(lambda: job(oom)["stage"] == "generating", why="generation", processes=[run])
    os.kill(run.worker_pid(), signal.SIGKILL)
    assert phone.get(f"{run.url}/healthz", timeout=5).status_code == 200  # the API answers meanwhile
    assert job(oom)["status"] == "running"
    oom_done = finished(oom)
    assert (oom_done["status"], oom_done["attempts"]) == ("succeeded", 2), run.log()[-4000:]
    assert "the worker died (signal 9)" in run.log()

    # Ctrl-C while the next job generates.
    interrupted = upload()
    wait_until(lambda: job(interrupted)["stage"] == "generating", why="generation", processes=[run])
    started = time.monotonic()
    run.ctrl_c()
    assert time.monotonic() - started < 15, "make run took too long to stop"
    assert "giving the job back to the queue" in run.log()

    run.start()
    done = finished(interrupted)
    library = phone.get(f"{run.url}/api/v1/recipes/").json()["results"]
    run.ctrl_c()

    assert (done["status"], done["attempts"]) == ("succeeded", 2), run.log()[-4000:]
    assert sorted(recipe["id"] for recipe in library) == sorted([oom_done["recipe"], done["recipe"]])
