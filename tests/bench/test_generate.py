import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_prints_its_figures_as_one_json_object(settings):
    result = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--models-dir", str(settings.VISION_MODELS_DIR),
         "--max-new-tokens", "320", "--repeats", "1", "--batches", "1,2", "--torch-threads", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["model"] == "tiny"
    assert figures["recipe_latency_s"]["n"] == 3
    assert set(figures["decode"]) == {"1", "2"}
    for decode in figures["decode"].values():
        assert 0 < decode["steps"] <= 320
        assert decode["constrained_share_of_plain_speed"] > 0
        assert len(decode["share_by_pair"]) == 1 and decode["share_fastest_runs"] == decode["share_by_pair"][0]
        assert 0 < decode["constraint_ms_per_step"] and 0 < decode["plain_share_if_only_the_constraint_cost"] < 1
        assert all(ms > 0 for ms in decode["forward_ms_per_step"].values())
        assert set(decode["forward_ms_per_step"]) == {"constrained", "plain"}
        outside = decode["constraint_cost_outside_forward_ms_per_step"]
        share = decode["share_if_forward_passes_equal"]
        # Plain decoding's step against it plus what constraining adds outside the forward passes.
        assert abs(share - decode["plain_ms_per_step"] / (decode["plain_ms_per_step"] + outside)) < 0.01
        # Greedy on a CPU: only rows whose best token the grammar refuses are filled.
        assert 0 < decode["grammar_fills_per_row_step"] < 0.5
