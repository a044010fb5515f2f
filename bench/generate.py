"""How fast a photo becomes a recipe, and what constrained decoding costs.

    .venv/bin/python -m bench.generate                       # tiny model, CPU
    .venv/bin/python -m bench.generate --model Qwen/Qwen3-VL-2B-Instruct --device cuda

Prints one JSON object: model load time, per-photo latency over the fixture
photos, and, measured side by side in the same run, decode speed with the
recipe grammar against plain decoding of the same number of tokens. Timings
on a shared machine are noisy: compare the ratio, not the absolute figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image
from transformers import LogitsProcessorList

from vision.backend import GenerationOptions, VisionConfig, backend_create

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "photos"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--models-dir", default=None, help="where models are built or cached")
    parser.add_argument("--max-new-tokens", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    models_dir = Path(args.models_dir or tempfile.mkdtemp(prefix="platepilot-bench-"))
    config = VisionConfig(
        models_dir=models_dir, model=args.model, device=args.device, max_new_tokens=args.max_new_tokens
    )
    started = time.perf_counter()
    backend = backend_create(config)
    load_s = time.perf_counter() - started

    photos = [Image.open(path).convert("RGB") for path in sorted(PHOTOS.iterdir())]
    backend.generate([photos[0]], GenerationOptions())  # warm-up
    latencies = [_timed(lambda p=photo: backend.generate([p], GenerationOptions())) for photo in photos * args.repeats]
    constrained, plain, tokens = _decode_speed(backend, photos[0], args.max_new_tokens, args.repeats)

    print(
        json.dumps(
            {
                "bench": "generate",
                "model": backend.model_id,
                "device": str(backend.device),
                "torch_threads": torch.get_num_threads(),
                "machine": platform.machine(),
                "load_s": round(load_s, 2),
                "recipe_latency_s": {
                    "median": round(statistics.median(latencies), 3),
                    "max": round(max(latencies), 3),
                    "n": len(latencies),
                },
                "decode_tokens": tokens,
                "constrained_tokens_per_s": round(tokens / constrained, 1),
                "plain_tokens_per_s": round(tokens / plain, 1),
                "grammar_cost_ratio": round(constrained / plain, 3),
            }
        )
    )


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _decode_speed(backend, photo, budget: int, repeats: int) -> tuple[float, float, int]:
    """Median seconds to decode the same number of tokens with and without the
    recipe grammar, alternating runs so both see the same machine load."""
    inputs = backend._inputs([photo], GenerationOptions())
    prompt_length = inputs["input_ids"].shape[1]

    def constrained_run() -> int:
        constraint = backend.grammar.processor(budget=budget)
        output = backend.model.generate(
            **inputs, logits_processor=LogitsProcessorList([constraint]), max_new_tokens=budget, do_sample=False
        )
        return output.shape[1] - prompt_length

    with torch.inference_mode():
        tokens = constrained_run()
        constrained, plain = [], []
        for _ in range(repeats):
            constrained.append(_timed(constrained_run))
            plain.append(
                _timed(
                    lambda: backend.model.generate(
                        **inputs, min_new_tokens=tokens, max_new_tokens=tokens, do_sample=False
                    )
                )
            )
    return statistics.median(constrained), statistics.median(plain), tokens


if __name__ == "__main__":
    main()
