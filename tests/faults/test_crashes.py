"""A worker that dies, however it dies, delays work but loses none: every
job still ends with exactly one recipe."""

import pytest

from tests.faults.conftest import all_finished, job_state, recipes_of, wait_until
from tests.live import WorkerProcess

pytestmark = pytest.mark.services


def test_a_new_worker_finishes_every_job_after_one_is_killed_mid_generation(fault_env, script, upload, tmp_path):
    script("slow:30")  # the first job generates slowly enough to be caught in the act
    env = fault_env()
    with WorkerProcess(env, name="first", log_dir=tmp_path) as first:
        first.wait_ready()
        jobs = [upload() for _ in range(3)]
        wait_until(lambda: job_state(jobs[0]).stage == "generating", why="generation", processes=[first])

        first.kill()  # SIGKILL: no goodbye, the job is left running with a lease
        assert job_state(jobs[0]).status == "running"

    with WorkerProcess(env, name="second", log_dir=tmp_path) as second:
        wait_until(lambda: all_finished(jobs), why="every job to finish", processes=[first, second])

    for job in jobs:
        assert job_state(job).status == "succeeded", job_state(job).error_code
        assert recipes_of(job) == 1
    assert job_state(jobs[0]).attempts == 2


def test_a_supervised_worker_is_replaced_when_it_dies(fault_env, script, upload, tmp_path):
    script("crash")  # the first photo kills the worker that reads it
    with WorkerProcess(fault_env(), name="supervised", supervised=True, log_dir=tmp_path) as worker:
        worker.wait_ready()
        job = upload()

        wait_until(lambda: all_finished([job]), why="the job to finish", processes=[worker])

        assert worker.alive()  # the supervisor itself lives on
        assert "the worker died (signal 9)" in worker.log()
    assert (job_state(job).status, job_state(job).attempts, recipes_of(job)) == ("succeeded", 2, 1)
