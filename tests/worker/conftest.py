"""A real Celery worker process for end-to-end tests: `celery -A worker
worker` exactly as `make worker` runs it, against the database and broker this
test run is configured with (the test database the live server uses, and
either the folder broker or Redis)."""

import pytest

from tests.live import WorkerProcess, live_env


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    with WorkerProcess(live_env(), name="e2e-worker", log_dir=tmp_path) as worker:
        yield worker


@pytest.fixture
def no_heartbeat(settings):
    """For tests that run the task in process: inside the test's transaction,
    which holds SQLite's write lock, a heartbeat from its own thread would
    wait on it. Heartbeats are shown with real workers in tests/faults/."""
    settings.JOB_HEARTBEAT_SECONDS = 3600
