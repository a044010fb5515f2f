"""Finding a checkpoint: the tiny one built here, a local folder, or the hub."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from vision.errors import ModelUnavailable
from vision.tiny import TINY, TINY_MARKER, tiny_checkpoint_build

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResolvedModel:
    model_id: str
    path: Path
    is_tiny: bool


def model_resolve(model: str, models_dir: Path) -> ResolvedModel:
    """Return a local folder holding `model`, building or downloading it if needed.

    `model` is "tiny", a local folder, or a hub id fetched (with a progress
    bar) into `models_dir`/hub. Raises `ModelUnavailable` with one line that
    says what to do when the model cannot be had.
    """
    if model == TINY:
        return ResolvedModel(TINY, tiny_checkpoint_build(models_dir), is_tiny=True)
    local = Path(model).expanduser()
    if local.is_dir():
        return ResolvedModel(model, local, is_tiny=(local / TINY_MARKER).exists())
    return ResolvedModel(model, _download(model, models_dir), is_tiny=False)


def _download(model: str, models_dir: Path) -> Path:
    from huggingface_hub import snapshot_download

    logger.info("fetching vision model %s (first use only)", model)
    try:
        path = snapshot_download(repo_id=model, cache_dir=models_dir / "hub")
    except Exception as error:  # offline, unknown id, gated repo, disk full...
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelUnavailable(
            f"cannot fetch vision model {model!r} ({reason}); "
            "set VISION_MODEL=tiny to run with the built-in tiny model, or VISION_MODEL=/path/to/checkpoint"
        ) from error
    return Path(path)
