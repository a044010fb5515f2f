"""Text that the speed benchmarks' Qwen-sized tiny tokenizer is learned from.

`vision.tiny` grows its small tokenizer to Qwen's 151,936 tokens with the
merges a byte-level BPE learns from text, as a real model's vocabulary is
learned, because what the grammar costs depends on what the tokens are.
The text is what the installed Django carries, so it needs no download and
is the same wherever `requirements.txt` is installed: its translation
catalogues (99 languages, Burmese, Bengali and Urdu among them) and its
source (English and code). Learned from it, 1.1% of the tokens hold a quote
and 1.4% are fragments of a UTF-8 character, with 8.2 bytes a token on
average.

Django is found without being imported: the benchmarks need only its files.
On a machine without it (a GPU host that has only torch and transformers),
build the checkpoint where the requirements are installed and take its
folder along (`--models-dir`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path


def learning_corpus() -> Iterator[str]:
    """Lines of text: every message and translation of Django's catalogues,
    then every line of its source, in a fixed order."""
    spec = importlib.util.find_spec("django")
    if spec is None or spec.origin is None:
        raise RuntimeError("learning a Qwen-sized vocabulary needs Django's files: install requirements.txt")
    root = Path(spec.origin).parent
    for catalogue in sorted(root.rglob("*.po")):
        for line in catalogue.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(("msgid ", "msgstr ")):
                yield line.split(" ", 1)[1].strip('"')
            elif line.startswith('"'):  # a message's continuation line
                yield line.strip('"')
    for source in sorted(root.rglob("*.py")):
        yield from source.read_text(encoding="utf-8", errors="replace").splitlines()
