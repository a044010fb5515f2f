import json
import subprocess
import sys
from pathlib import Path

from tests.openai_server import OpenAIServer
from vision.backend import VisionConfig, backend_create

ROOT = Path(__file__).resolve().parents[2]


def _run(settings, *args):
    return subprocess.run(
        [sys.executable, "-m", "bench.gpu_throughput", "--models-dir", str(settings.VISION_MODELS_DIR), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_it_measures_the_backend_beside_plain_decoding_at_each_batch_size(settings):
    result = _run(settings, "--tiny", "--batches", "1,2", "--new-tokens", "64", "--torch-threads", "1")

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["fast_path"] == "off"  # 'static' compiles on CUDA only
    assert set(figures["batches"]) == {"1", "2"}
    for row in figures["batches"].values():
        assert 0 < row["steps"] <= 64
        assert row["constrained"]["tokens_per_s"] > 0 and row["plain"]["tokens_per_s"] > 0
        assert row["constrained"]["first_token_s"] > 0
    assert 0 <= figures["batch_1_share_of_bound"] < 1
    assert "batch   2: constrained" in result.stderr


def test_it_drives_a_served_model_through_the_openai_backend(settings):
    tiny = backend_create(VisionConfig(models_dir=settings.VISION_MODELS_DIR, model="tiny", torch_threads=1))
    with OpenAIServer(tiny, served="tiny") as server:
        result = _run(
            settings, "--openai", server.url, "--model", "tiny", "--batches", "1,3", "--new-tokens", "768",
            "--max-visual-tokens", "64",
        )  # fmt: skip

    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["model"] == "tiny" and figures["served_at"] == server.url
    assert set(figures["batches"]) == {"1", "3"}
    for row in figures["batches"].values():
        assert row["constrained"]["tokens_per_s"] > 0 and row["constrained"]["first_token_s"] > 0
    # warm-up and timed run, 1 then 3 requests: every request reached the server, 3 of them at once
    assert len(server.requests) == 2 * (1 + 3)
    assert server.max_in_flight == 3
    assert "batch   3: constrained" in result.stderr


def test_it_says_what_the_openai_mode_lacks(settings):
    result = _run(settings, "--openai", "http://127.0.0.1:9/v1")

    assert result.returncode != 0
    assert "--model" in result.stderr
