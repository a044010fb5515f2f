"""Time limits that work in the solo pool `make worker` runs: past the soft
limit a job fails with `timed_out` and the worker goes on; past the hard limit
(a forward pass that never returns) the job fails and the worker is replaced."""

import pytest

from tests.faults.conftest import all_finished, job_state, recipes_of, wait_until
from tests.live import WorkerProcess


@pytest.mark.services
def test_it_fails_slow_jobs_at_the_soft_limit_and_replaces_a_stuck_worker(fault_env, script, upload, tmp_path):
    script("slow:100", "stuck", "ok")
    env = fault_env(JOB_SOFT_TIME_LIMIT=8, JOB_TIME_LIMIT=10, VISION_MAX_NEW_TOKENS=320)
    with WorkerProcess(env, supervised=True, log_dir=tmp_path) as worker:
        worker.wait_ready()
        slow = upload()
        wait_until(lambda: all_finished([slow]), why="the soft limit", processes=[worker])
        assert "the worker died" not in worker.log()

        stuck = upload()
        wait_until(lambda: all_finished([stuck]), why="the hard limit", processes=[worker])
        after = upload()
        wait_until(lambda: all_finished([after]), why="the replaced worker", processes=[worker])

        assert "the worker died (signal 9)" in worker.log()
    for job in (slow, stuck):
        assert (job_state(job).status, job_state(job).error_code, recipes_of(job)) == ("failed", "timed_out", 0)
    assert job_state(after).status == "succeeded", job_state(after).error_code
