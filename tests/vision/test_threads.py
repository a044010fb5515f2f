"""VISION_TORCH_THREADS: one worker's torch stays within its share of the CPUs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vision.backend import VisionConfig
from vision.transformers_backend import TransformersBackend

ROOT = Path(__file__).resolve().parents[2]

# Run apart: torch's thread counts are per process, and set once.
DECODE = """
import json, sys, torch
from pathlib import Path
from PIL import Image
from vision import GenerationIncomplete, GenerationOptions, VisionConfig, backend_create
seen = []
backend = backend_create(VisionConfig(models_dir=Path(sys.argv[1]), model="tiny", torch_threads=1))
image = Image.new("RGB", (64, 64), "orange")
on_token = lambda step: seen.append((torch.get_num_threads(), torch.get_num_interop_threads()))
try:
    backend.generate([image], GenerationOptions(max_new_tokens=24, on_token=on_token))
except GenerationIncomplete:
    pass  # 24 tokens are enough to watch the threads, not to finish a recipe
print(json.dumps(sorted(set(seen))))
"""


def test_it_decodes_with_the_threads_it_was_given(models_dir):
    result = subprocess.run(
        [sys.executable, "-c", DECODE, str(models_dir)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[1, 1]]


def test_it_refuses_a_thread_count_below_one(models_dir):
    with pytest.raises(ValueError):
        TransformersBackend(VisionConfig(models_dir=models_dir, torch_threads=0))
