import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_prints_both_variants_side_by_side_as_one_json_object():
    result = subprocess.run(
        [sys.executable, "-m", "bench.images", "--width", "640", "--height", "480", "--repeats", "1", "--rounds", "1",
         "--max-side", "320", "--thumbnail-side", "96"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["source"] == [640, 480]
    for kind in ("jpeg", "heic"):
        # Orientation 6: the outputs are portrait, and the same for both variants.
        assert figures[kind]["output"] == {"working": [240, 320], "thumbnail": [72, 96]}
        for variant in ("pipeline", "plain"):
            assert figures[kind][variant]["median_ms"] > 0
            assert figures[kind][variant]["peak_rss_mib"] >= figures["baseline_rss_mib"] > 0
        assert figures[kind]["speedup"] > 0
