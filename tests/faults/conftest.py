"""Fixtures for fault tests: real workers (tests/live.py) running the tiny
model through `tests.faults.backends.ScriptedBackend`, with leases, heartbeats
and sweeps shortened from minutes to seconds so that a crash is noticed and
repaired within a test's patience."""

import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.models import Job
from recipes_api.photos.services import photo_accept
from recipes_api.recipes.models import Recipe
from tests.live import live_env

PHOTO = Path(__file__).resolve().parents[2] / "fixtures" / "photos" / "dish.jpg"

FAST = {
    "VISION_BACKEND": "tests.faults.backends:ScriptedBackend",
    "JOB_LEASE_SECONDS": 3,
    "JOB_HEARTBEAT_SECONDS": 0.5,
    "JOB_SWEEP_SECONDS": 0.5,
    "JOB_RETRY_BACKOFF_SECONDS": 0.2,
    # One torch thread each: workers sharing two cores must not spin against each other.
    "VISION_TORCH_THREADS": 1,
}


@pytest.fixture
def script(tmp_path):
    """script("slow:20", "crash") -> what the next generate() calls will do."""
    path = tmp_path / "script"
    path.touch()

    def write(*actions: str) -> Path:
        path.write_text("".join(f"{action}\n" for action in actions))
        return path

    write.path = path
    return write


@pytest.fixture
def fault_env(transactional_db, script):
    """fault_env(**settings) -> the environment of an API or worker process."""

    def make(**extra):
        return live_env(**{**FAST, "FAULT_SCRIPT": script.path, **extra})

    return make


@pytest.fixture
def upload(alice):
    """upload() -> a queued job for one photo of alice's, rung as the API rings."""

    def make(owner=alice) -> Job:
        return photo_accept(owner=owner, upload=SimpleUploadedFile("dish.jpg", PHOTO.read_bytes()))

    return make


def wait_until(predicate, *, timeout: float = 120, why: str = "", processes=()):
    """Poll `predicate` until it is truthy; on timeout, fail with the processes' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    logs = "\n".join(f"--- {process.name}\n{process.log()[-6000:]}" for process in processes)
    raise AssertionError(f"timed out after {timeout}s waiting for {why}\n{logs}")


def job_state(job: Job) -> Job:
    return Job.objects.get(id=job.id)


def all_finished(jobs) -> bool:
    return all(job_state(job).status in ("succeeded", "failed") for job in jobs)


def recipes_of(job: Job) -> int:
    return Recipe.objects.filter(job_id=job.id).count()
