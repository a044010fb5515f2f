"""Throughput of the project's own backend on a model shaped like Qwen2.5-VL-3B.

    # the full benchmark, on one CUDA GPU (an H200: 4.8 TB/s)
    .venv/bin/python -m bench.gpu_throughput --fast-path static
    # tiny dimensions, on a CPU, in seconds (the test runs this)
    .venv/bin/python -m bench.gpu_throughput --tiny --batches 1,2 --new-tokens 64
    # a model served by vLLM or SGLang, through the openai backend
    .venv/bin/python -m bench.gpu_throughput --openai http://127.0.0.1:8001/v1 --model Qwen/Qwen2.5-VL-3B-Instruct

What runs is `TransformersBackend.generate_batch`, the code the worker runs,
constraint on, over random bf16 weights drawn on the device (no download):
one 1024x768 photo per request at the default visual budget (1,024 tokens)
and a 512-token recipe budget. For each batch size it reports time to the
first token, tokens/s and recipes/min, and beside it plain `model.generate`
over the same inputs and the same number of steps (with the backend's fast
path, and transformers' default). The share of the bandwidth bound at batch
1 is tokens/s against what reading the language model's weights once per
token allows: bytes of weights / `--bandwidth-gbs`.

With `--openai URL` it drives a served model the same way, through the
`openai` backend the worker uses (`OPENAI_API_KEY` from the environment):
each batch size is that many requests in flight at once, for the server to
batch. There is no plain decoding to set beside it there.

Prints one JSON object on stdout, a readable table on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from transformers import LogitsProcessor, LogitsProcessorList, StoppingCriteria, StoppingCriteriaList

from vision.backend import GenerationOptions, GenerationRequest, VisionConfig, backend_create
from vision.tiny import tiny_checkpoint_build
from vision.transformers_backend import FAST_PATHS, TransformersBackend

from bench.corpus import learning_corpus

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
    parser.add_argument("--openai", metavar="URL", help="drive the model served at URL (vLLM, SGLang) instead")
    parser.add_argument("--model", help="with --openai: the served model's name (VISION_MODEL)")
    args = parser.parse_args()
    batches = [int(size) for size in args.batches.split(",")]
    models_dir = Path(args.models_dir or tempfile.mkdtemp(prefix="platepilot-gpu-bench-"))
    if args.openai:
        if not args.model:
            parser.error("--openai needs --model, the served model's name")
        figures = _served(args, batches, models_dir)
    else:
        figures = _local(args, batches, models_dir)
    print(json.dumps(figures))


def _served(args, batches: list[int], models_dir: Path) -> dict:
    """The `openai` backend, the worker's code, against a served model: as
    many requests at once as the batch size (the server batches them)."""
    config = VisionConfig(
        models_dir=models_dir,
        backend="openai",
        model=args.model,
        max_new_tokens=args.new_tokens,
        max_visual_tokens=args.max_visual_tokens,
        openai_base_url=args.openai,
        openai_api_key=os.environ.get("OPENAI_API_KEY", ""),
        concurrency=max(batches),
    )
    backend = backend_create(config)
    photo = _photo()
    runs = {}
    for batch in batches:
        runs[str(batch)] = {"constrained": _constrained(backend, photo, batch, args.new_tokens, args.repeats)[0]}
        _report(args, batch, runs[str(batch)])
    return {
        "bench": "gpu_throughput",
        "served_at": args.openai,
        "model": backend.model_id,
        "new_tokens_budget": args.new_tokens,
        "batches": runs,
    }


def _local(args, batches: list[int], models_dir: Path) -> dict:
    """The transformers backend on a random model, beside plain decoding."""
    # The corpus is read only where a vocabulary is learned: for "3b", on its first build.
    path = tiny_checkpoint_build(models_dir, size="tiny" if args.tiny else "3b", corpus=learning_corpus())
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
        _report(args, batch, runs[str(batch)])
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
    return figures


def _report(args, batch: int, row: dict) -> None:
    _print_row(batch, row)
    if args.progress:
        with open(args.progress, "a") as progress:
            progress.write(json.dumps({"batch": batch, **row}) + "\n")


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


def _constrained(backend, photo: Image.Image, batch: int, budget: int, repeats: int) -> tuple[dict, int]:
    """`backend.generate_batch` on `batch` requests for `photo`, timed after
    one warm-up run (where the fast path compiles); the figures, and the
    steps of the longest row."""
    counts = [0] * batch
    first_token: list[float | None] = [None]

    def counter(row: int):
        def on_token(tokens: int) -> None:  # once per step of this row
            if first_token[0] is None:
                first_token[0] = time.perf_counter()
            counts[row] += 1

        return on_token

    requests = [
        GenerationRequest([photo], GenerationOptions(max_new_tokens=budget, on_token=counter(row))) for row in range(batch)
    ]

    def run() -> dict:
        counts[:] = [0] * batch
        first_token[0] = None
        _sync(backend)
        started = time.perf_counter()
        results = backend.generate_batch(requests)
        _sync(backend)
        elapsed = time.perf_counter() - started
        valid = sum(not isinstance(result, Exception) for result in results)
        first = (first_token[0] or started) - started
        return {"s": elapsed, "first": first, "tokens": sum(counts), "steps": max(counts), "valid": valid}

    run()
    runs = [run() for _ in range(repeats)]
    elapsed = statistics.median(run["s"] for run in runs)
    last = runs[-1]
    figures = {
        "first_token_s": round(statistics.median(run["first"] for run in runs), 3),
        "tokens_per_s": round(last["tokens"] / elapsed, 1),
        "recipes_per_min": round(batch * 60 / elapsed, 1),
        "valid_recipes": last["valid"],
    }
    return figures, last["steps"]


def _measure(
    backend: TransformersBackend, photo: Image.Image, batch: int, budget: int, repeats: int, default_steps: int | None
) -> dict:
    """The backend on `batch` requests for `photo`, then plain decoding of as many steps."""
    constrained, steps = _constrained(backend, photo, batch, budget, repeats)
    inputs = backend._inputs_batch([GenerationRequest([photo], GenerationOptions(max_new_tokens=budget))] * batch)
    row = {"prompt_tokens": inputs["input_ids"].shape[1], "steps": steps, "constrained": constrained}
    # Plain decoding on the backend's fast path gets the same cache length
    # (so the same compiled graphs) and stops after the same number of steps.
    length = backend._generate_length(row["prompt_tokens"], budget)
    if backend.fast_path != "off":
        row["plain_fast_path"] = _plain(backend, inputs, steps, length, repeats, FAST_PATHS[backend.fast_path])
    steps = min(steps, default_steps or steps)
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


def _sync(backend) -> None:
    if getattr(backend, "device", None) is not None and backend.device.type == "cuda":
        torch.cuda.synchronize(backend.device)


def _print_row(batch: int, row: dict) -> None:
    line = (
        f"batch {batch:>3}: constrained {row['constrained']['tokens_per_s']:>8} tok/s, "
        f"first token {row['constrained']['first_token_s']} s, {row['constrained']['recipes_per_min']} recipes/min"
    )
    if "plain" in row:
        plain = row.get("plain_fast_path", row["plain"])
        line += f"; plain {plain['tokens_per_s']} tok/s (default generate {row['plain']['tokens_per_s']})"
    print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
