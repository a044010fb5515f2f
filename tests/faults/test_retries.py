"""Transient failures are tried again, permanent ones fail with their code
(after the engine's one retry of an invalid answer), and no job is tried for
ever."""

import pytest

from recipes_api.photos.failures import job_error_message
from recipes_api.photos.services import job_claim
from tests.faults.conftest import all_finished, job_state, recipes_of, wait_until
from tests.live import WorkerProcess

pytestmark = pytest.mark.services


def test_it_retries_a_transient_failure_and_fails_a_permanent_one_with_its_code(fault_env, script, upload, tmp_path):
    script("transient", "ok", "permanent", "permanent")  # an invalid answer, and again on its retry
    with WorkerProcess(fault_env(), log_dir=tmp_path) as worker:
        worker.wait_ready()
        retried = upload()
        wait_until(lambda: all_finished([retried]), why="the retried job", processes=[worker])
        broken = upload()
        wait_until(lambda: all_finished([broken]), why="the broken job", processes=[worker])

    assert (job_state(retried).status, job_state(retried).attempts, recipes_of(retried)) == ("succeeded", 2, 1)
    failed = job_state(broken)
    assert (failed.status, failed.error_code, failed.attempts, failed.tries) == ("failed", "recipe_invalid", 1, 2)
    assert failed.error_message == job_error_message("recipe_invalid")


def test_a_job_that_keeps_failing_ends_with_attempts_exhausted(fault_env, script, upload, tmp_path):
    script("transient", "crash", "transient", "ok")  # the fourth try would succeed, but there is none
    with WorkerProcess(fault_env(JOB_MAX_ATTEMPTS=3), supervised=True, log_dir=tmp_path) as worker:
        worker.wait_ready()
        job = upload()
        wait_until(lambda: all_finished([job]), why="the job to give up", processes=[worker])

    failed = job_state(job)
    assert (failed.status, failed.error_code, failed.attempts) == ("failed", "attempts_exhausted", 3)
    assert failed.error_message == job_error_message("attempts_exhausted")
    assert recipes_of(job) == 0


def test_a_worker_whose_lease_was_taken_over_cannot_write_its_result(fault_env, script, upload, tmp_path):
    script("slow:20")
    with WorkerProcess(fault_env(), log_dir=tmp_path) as worker:
        worker.wait_ready()
        job = upload()
        wait_until(lambda: job_state(job).stage == "generating", why="generation", processes=[worker])

        # Another worker takes the job over, as it would after a long network
        # partition let the first one's lease run out.
        # The first worker's heartbeat may renew the lease between the two
        # steps (then nothing is claimed): expire it and claim until one lands.
        def take_over():
            job.__class__.objects.filter(id=job.id).update(lease_expires_at=job_state(job).created_at)
            return job_claim(job_id=job.id)

        usurper = wait_until(take_over, why="another worker to take the job over", processes=[worker])
        wait_until(lambda: "lease taken over" in worker.log(), why="the first worker to give up", processes=[worker])

    taken = job_state(job)
    assert (taken.status, taken.claim, taken.attempts) == ("running", usurper.claim, 2)
    assert recipes_of(job) == 0
