"""Real processes for tests and benchmarks: the API under gunicorn and Celery
workers, started as `make run` starts them (the Procfile's commands), on the
database and broker a test chooses.

    env = live_env(broker_url=..., JOB_LEASE_SECONDS=5)
    with ApiServer(env, log_dir=tmp_path) as api, WorkerProcess(env, name="w1", log_dir=tmp_path) as worker:
        requests.get(f"{api.url}/healthz")
        worker.kill()            # SIGKILL, as the kernel's OOM killer would

`live_env` points the processes at the database this test run uses (the
pytest-django test database, so a `transactional_db` test sees their rows).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(**query: str) -> str:
    """The URL of the database this process's Django connection uses."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        url = f"sqlite:///{Path(db['NAME']).resolve()}"
    else:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        url = f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def live_env(*, broker_url: str | None = None, database: str | None = None, **extra) -> dict:
    """Environment for API and worker processes: this run's database (or
    `database`), broker (or `broker_url`) and data folder (so they share the
    media folder, the folder broker and the secret key with this process),
    the tiny model, and any `extra` settings."""
    from django.conf import settings

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "recipes_api.settings",
        "DATABASE_URL": database or database_url(),
        "CELERY_BROKER_URL": broker_url or settings.CELERY_BROKER_URL,
        "DATA_DIR": str(settings.DATA_DIR),
        "VISION_MODEL": "tiny",
        "VISION_MAX_NEW_TOKENS": "768",
        "HF_HUB_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    return env | {key: str(value) for key, value in extra.items()}


class _Process:
    command: list[str]
    name: str

    def __init__(self, env: dict, *, log_dir: Path):
        self.env = env
        self.log_path = Path(log_dir) / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    def start(self):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        return self

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.kill()  # a process that failed to come up must not outlive the test
            raise

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash or the OOM killer would."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM, as honcho does on Ctrl-C; SIGKILL if it will not go."""
        if self.process is None:
            return None
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode


class ApiServer(_Process):
    """gunicorn on recipes_api.wsgi, as the Procfile's `api` line runs it."""

    def __init__(self, env: dict, *, workers: int = 2, port: int | None = None, **kwargs):
        self.name = "api"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            str(BIN / "gunicorn"), "recipes_api.wsgi", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers), "--threads", "4", "--graceful-timeout", "10",
        ]  # fmt: skip
        super().__init__(env, **kwargs)

    def start(self):
        super().start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:  # not listening yet, or still importing Django
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in 60s:\n{self.log()}")


class WorkerProcess(_Process):
    """A Celery worker as the Procfile's `worker` line runs it: the solo pool,
    under `worker.supervise` when `supervised` (as `make run` does)."""

    def __init__(self, env: dict, *, name: str = "worker", supervised: bool = False, **kwargs):
        self.name = name
        celery = [
            str(BIN / "celery"), "-A", "worker", "worker", "--pool=solo", "--concurrency=1",
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--hostname", f"{name}-{os.getpid()}@%h",
        ]  # fmt: skip
        self.command = [sys.executable, "-m", "worker.supervise", *celery] if supervised else celery
        super().__init__(env, **kwargs)

    def wait_ready(self, timeout: float = 120) -> WorkerProcess:
        """Wait until the worker has loaded its model and listens to the broker."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log():
                return self
            if not self.alive():
                raise RuntimeError(f"the worker exited:\n{self.log()}")
            time.sleep(0.2)
        raise RuntimeError(f"the worker was not ready in {timeout}s:\n{self.log()}")

    def child_pids(self) -> list[int]:
        """The supervised celery process(es) under a supervisor."""
        out = subprocess.run(["pgrep", "-P", str(self.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]
