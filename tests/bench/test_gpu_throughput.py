import json
import subprocess
import sys
from pathlib import Path

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


def test_it_says_the_openai_mode_is_not_built_here(settings):
    result = _run(settings, "--openai", "http://127.0.0.1:9/v1")

    assert result.returncode != 0
    assert "openai backend" in result.stderr
