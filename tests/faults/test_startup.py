"""A worker that cannot load its model says so in one line and exits before
it takes a job; its supervisor does not restart it in a loop."""

import pytest

from tests.faults.conftest import job_state
from tests.live import WorkerProcess


@pytest.mark.services
@pytest.mark.parametrize("supervised", [False, True], ids=["bare", "supervised"])
def test_it_exits_with_one_line_before_taking_a_job(fault_env, upload, tmp_path, supervised):
    env = fault_env(VISION_BACKEND="tests.faults.backends:UnloadableBackend")
    job = upload()

    with WorkerProcess(env, supervised=supervised, log_dir=tmp_path) as worker:
        worker.process.wait(timeout=120)

    assert worker.process.returncode == 3
    lines = [line for line in worker.log().splitlines() if line.startswith("platepilot worker:")]
    assert lines == [
        "platepilot worker: cannot load the vision model: RuntimeError: CUDA out of memory. "
        "Tried to allocate 20.00 GiB; see https://huggingface.co/Qwen for VISION_MODEL"
    ]
    assert "restarting" not in worker.log() and "starting a new one" not in worker.log()
    assert (job_state(job).status, job_state(job).attempts) == ("queued", 0)
