import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_times_the_recipe_list_beside_a_trivial_endpoint_under_gunicorn():
    result = subprocess.run(
        [sys.executable, "-m", "bench.api", "--recipes", "50", "--seconds", "2", "--warmup", "0.2",
         "--concurrency", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])

    assert figures["recipes"] == 50 and figures["page_size"] == 20
    for name in ("me", "list"):
        endpoint = figures["endpoints"][name]
        assert set(endpoint["statuses"]) == {"200"}, (name, endpoint)
        assert endpoint["requests_per_s"] > 0
        assert endpoint["p99_ms"] >= endpoint["p50_ms"] > 0
        at_rate = endpoint["at_rate"]  # half the throughput, on a schedule
        assert at_rate["rate"] == round(endpoint["requests_per_s"] / 2, 1)
        # Every scheduled request answered; the schedule is the unrounded rate's, for 2 s.
        assert set(at_rate["statuses"]) == {"200"} and at_rate["requests"] == at_rate["scheduled"]
        assert abs(at_rate["scheduled"] - at_rate["rate"] * 2) <= 1
        assert at_rate["p99_ms"] >= at_rate["p50_ms"] > 0
    assert figures["endpoints"]["list"]["items_per_page"] == 20
    assert figures["endpoints"]["list"]["thumbnails_per_page"] == 20  # every recipe has a cover
    search = figures["endpoints"]["search"]
    assert search.get("supported") is False or search["items_per_page"] > 0  # measured once the list takes it
    assert figures["targets"]["list_vs_me_throughput"] > 0
