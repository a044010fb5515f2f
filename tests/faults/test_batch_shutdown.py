"""A worker asked to stop while it reads a batch gives every job of the
batch back to the queue, not just the one whose bell rang."""

import pytest

from tests.faults.conftest import job_state, recipes_of, wait_until
from tests.live import WorkerProcess

pytestmark = pytest.mark.services


def test_a_stopping_worker_gives_back_every_job_of_its_batch(fault_env, script, upload, alice, bob, tmp_path):
    script("slow:30")  # slow enough to be caught in the act
    jobs = [upload(alice), upload(bob), upload(alice)]  # queued before any worker is up
    with WorkerProcess(fault_env(VISION_BATCH_SIZE=3), log_dir=tmp_path) as worker:
        wait_until(
            lambda: all(job_state(job).stage == "generating" for job in jobs),
            why="the batch to start",
            processes=[worker],
        )

        worker.stop()  # SIGTERM, as honcho or systemd sends it

        assert worker.log().count("worker stopping; giving the job back") == 3, worker.log()[-4000:]
    for job in jobs:
        state = job_state(job)
        assert (state.status, state.claim, state.attempts, recipes_of(job)) == ("queued", None, 1, 0)
