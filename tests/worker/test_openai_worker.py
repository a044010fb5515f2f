"""A worker in front of an inference server (`VISION_BACKEND=openai`): it
loads no model of its own, reads photos through the server, and does not
start without one. The server is tests/openai_server.py, serving the tiny
model through the transformers backend in this test process."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.live import ROOT, WorkerProcess, free_port, live_env
from tests.openai_server import OpenAIServer
from tests.worker.test_end_to_end import PHOTO, Phone
from vision.backend import VisionConfig, backend_create
from worker.engine import vision_config

SERVED = "platepilot-tiny"  # the name the server knows the model by, as `vllm serve --served-model-name` sets


@pytest.fixture(scope="module")
def server():
    tiny = backend_create(VisionConfig(models_dir=settings.VISION_MODELS_DIR, model="tiny", max_new_tokens=768))
    with OpenAIServer(tiny, served=SERVED) as server:
        yield server


def openai_env(base_url: str, **extra) -> dict:
    return live_env(**({"VISION_BACKEND": "openai", "VISION_MODEL": SERVED, "OPENAI_BASE_URL": base_url} | extra))


def loaded_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


@pytest.mark.services
def test_it_turns_a_photo_into_a_recipe_through_the_inference_server(live_server, transactional_db, server, tmp_path):
    alice = Phone(live_server.url, "alice")

    # A smaller photo than the default budget keeps the tiny decode quick. The
    # tiny model's `is_food` is a fixed coin toss for a given input (see
    # test_end_to_end.py); this card at this size reads as food.
    env = openai_env(server.url, VISION_MAX_VISUAL_TOKENS=256)
    with WorkerProcess(env, name="openai-worker", log_dir=tmp_path) as worker:
        worker.wait_ready()
        accepted = alice.upload(PHOTO)
        job = alice.wait_for(accepted.headers["Location"], seconds=120)
        libraries = loaded_libraries(worker.pid)

    assert job["status"] == "succeeded", (job, worker.log())
    recipe = alice.get(f"/api/v1/recipes/{job['recipe']}/").json()
    assert recipe["model_id"] == SERVED
    assert len(server.requests) >= 1
    assert "libtorch" not in libraries


@pytest.mark.services
def test_it_will_not_start_a_worker_when_no_server_answers(transactional_db, tmp_path):
    nobody = f"http://127.0.0.1:{free_port()}/v1"

    with WorkerProcess(openai_env(nobody, OPENAI_MAX_RETRIES=0), log_dir=tmp_path) as worker:
        worker.process.wait(timeout=120)

    assert worker.process.returncode == 3
    lines = [line for line in worker.log().splitlines() if line.startswith("platepilot worker:")]
    assert len(lines) == 1
    assert f"the inference server at {nobody} does not answer" in lines[0]


@pytest.mark.services
def test_it_checks_the_server_in_preflight_instead_of_fetching_a_model(transactional_db, server):
    ready = preflight(openai_env(server.url))
    wrong = preflight(openai_env(server.url, VISION_MODEL="Qwen/Qwen2.5-VL-3B-Instruct"))

    assert (ready.returncode, ready.stdout.strip()) == (0, f"platepilot: vision model {SERVED} served at {server.url}")
    assert wrong.returncode == 1
    assert "does not serve 'Qwen/Qwen2.5-VL-3B-Instruct'" in wrong.stderr
    assert "torch imported: False" in ready.stderr


def test_the_vision_config_carries_the_openai_settings(settings):
    settings.VISION_BACKEND = "openai"
    settings.OPENAI_BASE_URL = "http://gpu-host:8001/v1"
    settings.OPENAI_API_KEY = "sk-platepilot"
    settings.OPENAI_TIMEOUT_SECONDS = 12.5
    settings.OPENAI_MAX_RETRIES = 5
    settings.OPENAI_PIXELS_PER_TOKEN = 1024
    settings.VISION_CONCURRENCY = 16

    config = vision_config()

    assert (config.backend, config.openai_base_url, config.openai_api_key) == (
        "openai", "http://gpu-host:8001/v1", "sk-platepilot",
    )  # fmt: skip
    assert (config.timeout_seconds, config.openai_max_retries) == (12.5, 5)
    assert (config.openai_pixels_per_token, config.concurrency) == (1024, 16)


def preflight(env: dict) -> subprocess.CompletedProcess:
    # Runs `python -m worker.preflight` as `make run` does, then says whether torch came in.
    code = (
        "import runpy, sys\n"
        "try:\n"
        "    runpy.run_module('worker.preflight', run_name='__main__')\n"
        "finally:\n"
        "    print('torch imported:', 'torch' in sys.modules, file=sys.stderr)\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
