"""Throughput of the project's own backend on a model shaped like Qwen2.5-VL-3B.

    # the full benchmark, on one CUDA GPU (an H200: 4.8 TB/s)
    .venv/bin/python -m bench.gpu_throughput --fast-path static
    # tiny dimensions, on a CPU, in seconds (the test runs this)
    .venv/bin/python -m bench.gpu_throughput --tiny --batches 1,2 --new-tokens 64

What runs is `TransformersBackend.generate_batch`, the code the worker runs,
constraint on, over random bf16 weights drawn on the device (no download):
one 1024x768 photo per request at the default visual budget (1,024 tokens)
and a 512-token recipe budget. For each batch size it reports time to the
first token, tokens/s and recipes/min, and beside it plain `model.generate`
over the same inputs and the same number of steps (with the backend's fast
path, and transformers' default). The share of the bandwidth bound at batch
1 is tokens/s against what reading the language model's weights once per
token allows: bytes of weights / `--bandwidth-gbs`.

Prints one JSON object on stdout, a readable table on stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from vision.backend import GenerationOptions, GenerationRequest, VisionConfig
from vision.tiny import tiny_checkpoint_build
from vision.transformers_backend import FAST_PATHS, TransformersBackend

H200_BANDWIDTH_GBS = 4800


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny dimensions, for a CPU")
    parser.add_argument("--batches", default="1,8,32")
    parser.add_argument("--new-tokens", type=int, default=512, help="each recipe's token budget")
    parser.add_argument("--max-visual-tokens", type=int, default=1024)
    parser.add_argument("--fast-path", default="static", choices=sorted(FAST_PATHS))
    parser.add_argument("--bandwidth-gbs", type=float, default=H200_BANDWIDTH_GBS, help="the device's memory bandwidth")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per batch size, after one warm-up")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--models-dir", default=None)
    parser.add_argument("--torch-threads", type=int, default=None)
    parser.add_argument(
        "--default-steps", type=int, default=None,
        help="cap the steps of transformers' default generate (slow on a GPU: tens of tokens/s at batch 1)",
    )
    parser.add_argument("--progress", metavar="FILE", help="append each batch size's figures to FILE as they come")
    parser.add_argument("--openai", metavar="URL", help="drive a served model instead (not built here, see below)")
    args = parser.parse_args()
    if args.openai:
        sys.exit(
            "--openai is not implemented in this benchmark yet: it belongs with the openai backend "
            "(issue 10, point 5), which drives an OpenAI-compatible server"
        )

    batches = [int(size) for size in args.batches.split(",")]
    models_dir = Path(args.models_dir or tempfile.mkdtemp(prefix="platepilot-gpu-bench-"))
    path = tiny_checkpoint_build(models_dir, size="tiny" if args.tiny else "3b")
    started = time.perf_counter()
    backend = TransformersBackend(
        VisionConfig(
            models_dir=models_dir,
            model=str(path),
            device=args.device,
            max_new_tokens=args.new_tokens,
            max_visual_tokens=args.max_visual_tokens,
            torch_threads=args.torch_threads,
            batch_size=max(batches),
            fast_path=args.fast_path,
        )
    )
    load_s = time.perf_counter() - started
    photo = _photo()
    weights_gb = _language_model_bytes(backend.model) / 1e9
    bound = args.bandwidth_gbs / weights_gb

    runs = {}
    for batch in batches:
        runs[str(batch)] = _measure(backend, photo, batch, args.new_tokens, args.repeats, args.default_steps)
        _print_row(batch, runs[str(batch)])
        if args.progress:
            with open(args.progress, "a") as progress:
                progress.write(json.dumps({"batch": batch, **runs[str(batch)]}) + "\n")
    first = runs[str(batches[0])]
    figures = {
        "bench": "gpu_throughput",
        "model": "tiny random Qwen2.5-VL" if args.tiny else "random Qwen2.5-VL-3B shape, bf16",
        "device": str(backend.device),
        "device_name": torch.cuda.get_device_name(backend.device) if backend.device.type == "cuda" else "cpu",
        "dtype": str(backend.model.dtype),
        "fast_path": backend.fast_path,
        "load_s": round(load_s, 1),
        "prompt_tokens": first["prompt_tokens"],
        "new_tokens_budget": args.new_tokens,
        "language_model_gb": round(weights_gb, 3),
        "bandwidth_gbs": args.bandwidth_gbs,
        "bandwidth_bound_tokens_per_s": round(bound, 1),
        "batches": runs,
    }
    if batches[0] == 1:
        figures["batch_1_share_of_bound"] = round(first["constrained"]["tokens_per_s"] / bound, 3)
    print(json.dumps(figures))


def _photo() -> Image.Image:
    """A 1024x768 photo of noise: its content does not matter to random weights, its size does."""
    pixels = np.random.default_rng(0).integers(0, 256, (768, 1024, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _language_model_bytes(model) -> int:
    """Bytes read per decoding step at batch 1: the language model and its
    head (once, when tied to the embeddings), not the vision tower."""
    seen, total = set(), 0
    for module in (model.model.language_model, model.lm_head):
        for parameter in module.parameters():
            if parameter.data_ptr() not in seen:
                seen.add(parameter.data_ptr())
                total += parameter.numel() * parameter.element_size()
    return total


def _measure(
    backend: TransformersBackend, photo: Image.Image, batch: int, budget: int, repeats: int, default_steps: int | None
) -> dict:
    """The backend on `batch` requests for `photo`, then plain decoding of as many steps."""
    counts = [0] * batch
    first_token = [0.0]

    def counter(row: int):
        def on_token(tokens: int) -> None:
            if tokens == 0 and row == 0:
                first_token[0] = time.perf_counter()
            counts[row] = tokens + 1

        return on_token

    requests = [
        GenerationRequest([photo], GenerationOptions(max_new_tokens=budget, on_token=counter(row))) for row in range(batch)
    ]
    inputs = backend._inputs_batch(requests)

    def constrained() -> dict:
        counts[:] = [0] * batch
        _sync(backend)
        started = time.perf_counter()
        results = backend.generate_batch(requests)
        _sync(backend)
        elapsed = time.perf_counter() - started
        valid = sum(not isinstance(result, Exception) for result in results)
        return {"s": elapsed, "first": first_token[0] - started, "tokens": sum(counts), "steps": max(counts), "valid": valid}

    constrained()  # warm-up: the fast path compiles here
    runs = [constrained() for _ in range(repeats)]
    elapsed = statistics.median(run["s"] for run in runs)
    last = runs[-1]
    row = {
        "prompt_tokens": inputs["input_ids"].shape[1],
        "steps": last["steps"],
        "constrained": {
            "first_token_s": round(statistics.median(run["first"] for run in runs), 3),
            "tokens_per_s": round(last["tokens"] / elapsed, 1),
            "recipes_per_min": round(batch * 60 / elapsed, 1),
            "valid_recipes": last["valid"],
        },
    }
    # Plain decoding on the backend's fast path gets the same cache length
    # (so the same compiled graphs) and stops after the same number of steps.
    length = backend._generate_length(row["prompt_tokens"], budget)
    if backend.fast_path != "off":
        row["plain_fast_path"] = _plain(backend, inputs, last["steps"], length, repeats, FAST_PATHS[backend.fast_path])
    steps = min(last["steps"], default_steps or last["steps"])
    row["plain"] = _plain(backend, inputs, steps, steps, repeats, FAST_PATHS["off"]) | {"steps": steps}
    return row


class _StopAfter(StoppingCriteria):
    """Ends `generate` once `steps` new tokens follow a prompt of `prompt_length`."""

    def __init__(self, prompt_length: int, steps: int):
        self.length = prompt_length + steps

    def __call__(self, input_ids, scores, **kwargs) -> torch.BoolTensor:
        done = input_ids.shape[1] >= self.length
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class _FirstToken(LogitsProcessor):
    """Notes when the first logits arrive, and changes nothing."""

    def __init__(self):
        self.at: float | None = None

    def __call__(self, input_ids, scores):
        if self.at is None:
            self.at = time.perf_counter()
        return scores


def _plain(backend: TransformersBackend, inputs, steps: int, length: int, repeats: int, fast_path: dict) -> dict:
    """`model.generate` with no constraint over `inputs`, exactly `steps` new
    tokens, with room for `length` (the cache's size on a static cache)."""

    def run() -> tuple[float, float]:
        first = _FirstToken()
        _sync(backend)
        started = time.perf_counter()
        with torch.inference_mode():
            backend.model.generate(
                **inputs,
                min_new_tokens=steps,
                max_new_tokens=length,
                do_sample=False,
                logits_processor=LogitsProcessorList([first]),
                stopping_criteria=StoppingCriteriaList([_StopAfter(inputs["input_ids"].shape[1], steps)]),
                pad_token_id=backend.stop_token_ids[0],
                eos_token_id=None,
                **fast_path,
            )
        _sync(backend)
        return time.perf_counter() - started, first.at - started

    run()  # warm-up
    runs = [run() for _ in range(repeats)]
    elapsed = statistics.median(run[0] for run in runs)
    batch = inputs["input_ids"].shape[0]
    return {
        "first_token_s": round(statistics.median(run[1] for run in runs), 3),
        "tokens_per_s": round(batch * steps / elapsed, 1),
    }


def _sync(backend: TransformersBackend) -> None:
    if backend.device.type == "cuda":
        torch.cuda.synchronize(backend.device)


def _print_row(batch: int, row: dict) -> None:
    plain = row.get("plain_fast_path", row["plain"])
    print(
        f"batch {batch:>3}: constrained {row['constrained']['tokens_per_s']:>8} tok/s, "
        f"first token {row['constrained']['first_token_s']} s, {row['constrained']['recipes_per_min']} recipes/min; "
        f"plain {plain['tokens_per_s']} tok/s (default generate {row['plain']['tokens_per_s']})",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
