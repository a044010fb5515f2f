import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_times_uploads_to_recipes_through_the_real_api_and_worker():
    result = subprocess.run(
        [sys.executable, "-m", "bench.pipeline", "--jobs", "2", "--uploads", "4", "--concurrency", "2",
         "--warmup", "0", "--max-new-tokens", "384"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["model"] == "tiny"

    latency = figures["latency"]
    assert latency["n"] == len(latency["jobs"]) == 2
    for job in latency["jobs"]:
        assert job["client_ms"] >= job["server_ms"] >= job["model_ms"] > 0
        assert abs(job["overhead_ms"] - (job["server_ms"] - job["model_ms"])) < 0.2
        assert abs(job["client_overhead_ms"] - (job["client_ms"] - job["model_ms"])) < 0.2
        parts = job["accept_ms"] + job["queue_ms"] + job["model_ms"] + job["worker_ms"] + job["seen_ms"]
        assert abs(parts - job["client_ms"]) < 1
    for field in ("server_ms", "client_ms", "model_ms", "overhead_ms"):
        assert latency[field]["p95"] >= latency[field]["p50"] > 0

    uploads = figures["uploads"]
    assert uploads["accepted"] == uploads["n"] == 4
    assert uploads["statuses"] == {"202": 4}
    assert uploads["accepted_per_s"] > 0
    assert uploads["request_ms"]["p95"] >= uploads["request_ms"]["p50"] > 0
