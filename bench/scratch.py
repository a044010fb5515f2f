"""What the live-server benchmarks share: a scratch data folder for one run,
and their command line's positive counts."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_folder(prefix: str, *, keep: bool, name: str) -> Iterator[Path]:
    """A fresh folder for a run's data and logs, removed afterwards unless
    `keep` (then its path is said on stderr, under the bench's `name`)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"[{name}] data folder and logs kept in {folder}", file=sys.stderr, flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def positive(text: str) -> int:
    """argparse type: an integer of 1 or more."""
    if int(text) < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return int(text)
