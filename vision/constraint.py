"""Constrained decoding: the model can only write tokens that keep its answer
a valid recipe, and it is steered to close the answer before its budget ends.

xgrammar compiles the recipe grammar (`grammar_ebnf`, made from the recipe
JSON Schema) against the tokenizer once per backend, and once more for each language a request pins (see
`RecipeGrammar.for_language`); each row of each generation gets a fresh
matcher (`vision.batch_constraint` applies the grammar to a batch). Strings
and lists in the schema are bounded, but a rambling model could still use its
whole budget on them, so for the last tokens of the budget (the reserve)
every allowed closing token (a quote, a bracket, a brace, a comma) is pushed
far above the rest: strings end, lists end, and the grammar forces the
remaining required keys. The answer then ends well-formed inside the budget.

Where the grammar allows only one continuation (a key name, the punctuation
around it), the longest token spelling it is chosen, so forced text costs the
few tokens a tokenizer would naturally use rather than one per byte.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
import xgrammar as xgr

from vision.schema import BLANK_CHARACTERS, recipe_json_schema

if TYPE_CHECKING:
    from vision.batch_constraint import BatchConstraint, RowSpec

# Larger than any real logit gap: inside the reserve, closing always wins.
# A quote ranks first because inside a string a bracket is mere text; outside
# one, a quote only opens a string that the next quote closes.
_CLOSE_STRING = 300.0
_CLOSE_LIST = 200.0
_NEXT_ITEM = 100.0
# Tokens kept at the end of a budget for closing the JSON: enough to write
# every required key of an empty recipe, at most half the budget.
WRAP_UP_RESERVE = 256
# Grammars kept per pinned language: each is a compile against the whole
# vocabulary (not free for Qwen's 151k tokens), and a worker meets few
# distinct languages.
LANGUAGE_GRAMMARS_KEPT = 64
# Forced text is written with tokens of at most this many characters, and
# the texts looked up are kept up to this many.
FORCED_TOKEN_CHARS = 32
FORCED_TEXTS_KEPT = 4096


@dataclass(frozen=True)
class RecipeGrammar:
    """The recipe grammar compiled for one tokenizer, plus its closing bias.

    `compiled` leaves the `language` field to the model; `for_language`
    gives the grammar that fixes it to one tag, compiled on first use and
    kept. `token_bytes` are the bytes the grammar matches for each token;
    the answer is read from them (stop tokens left out), not re-decoded by
    the tokenizer, so what is validated is exactly what the grammar checked.

    `closing_bias` lives on the model's device, built once. `stop_only` is a
    bitmask row that allows only the stop tokens: a finished row's mask.
    `batch_matcher` fills the masks of a batch's rows on several threads,
    and `filler` runs that fill beside the forward pass (one thread: one
    decode at a time per backend).
    """

    compiled: xgr.CompiledGrammar
    closing_bias: torch.Tensor
    vocab_size: int
    token_ids: dict[str, int]
    token_bytes: list[bytes]
    stop_token_ids: frozenset[int]
    compiler: xgr.GrammarCompiler
    stop_only: torch.Tensor = field(compare=False, repr=False, default=None)
    # The closing bias's few nonzero entries (numpy arrays): on a CPU, adding
    # these is cheaper than adding the whole dense row.
    closing_ids: np.ndarray = field(compare=False, repr=False, default=None)
    closing_values: np.ndarray = field(compare=False, repr=False, default=None)
    batch_matcher: xgr.BatchGrammarMatcher = field(default_factory=xgr.BatchGrammarMatcher, compare=False, repr=False)
    filler: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="grammar"),
        compare=False,
        repr=False,
    )
    _pinned: OrderedDict[str, xgr.CompiledGrammar] = field(default_factory=OrderedDict, compare=False, repr=False)
    _forced: dict[str, int | None] = field(default_factory=dict, compare=False, repr=False)
    _pinned_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def stop_token_list(self) -> list[int]:
        return sorted(self.stop_token_ids)

    @classmethod
    def compile(
        cls,
        tokenizer,
        vocab_size: int,
        stop_token_ids: list[int],
        device: torch.device | str = "cpu",
    ) -> RecipeGrammar:
        """Compile the recipe schema for `tokenizer`; `vocab_size` is the
        model's logits width, `device` where its logits are."""
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size, stop_token_ids=stop_token_ids)
        compiler = xgr.GrammarCompiler(info)
        compiled = _compile(compiler, language=None)
        texts = _token_texts(tokenizer, vocab_size)
        token_bytes = list(info.decoded_vocab)
        # Forced text is written with these: only tokens whose bytes, as the
        # grammar sees them, are their text.
        token_ids = {
            text: token_id
            for token_id, text in reversed(list(enumerate(texts)))
            if text and text.encode() == token_bytes[token_id]
        }
        closing_bias = _closing_bias(texts, vocab_size)
        closing_ids = closing_bias.nonzero().flatten().numpy()
        return cls(
            compiled,
            closing_bias.to(device),
            vocab_size,
            token_ids,
            token_bytes,
            frozenset(info.stop_token_ids),
            compiler,
            stop_only=_stop_only(info.stop_token_ids, vocab_size),
            closing_ids=closing_ids,
            closing_values=closing_bias.numpy()[closing_ids],
        )

    def forced_token(self, forced: str) -> int | None:
        """The longest token spelling the start of `forced`, text the grammar
        forces next, or None. The schema's keys and punctuation force the same
        few texts again and again: each is looked up once."""
        key = forced[:FORCED_TOKEN_CHARS]
        try:
            return self._forced[key]
        except KeyError:
            pass
        token_id = next(
            (self.token_ids[key[:end]] for end in range(len(key), 0, -1) if key[:end] in self.token_ids), None
        )
        if len(self._forced) >= FORCED_TEXTS_KEPT:  # a bound, should a grammar force text without end
            self._forced.clear()
        self._forced[key] = token_id
        return token_id

    def for_language(self, language: str | None) -> xgr.CompiledGrammar:
        """The grammar whose `language` field can only be `language` (a BCP 47
        tag), or `compiled` for None. Compiled once per tag and kept (the
        least recently used beyond LANGUAGE_GRAMMARS_KEPT are dropped); safe
        to call from several threads. Raises ValueError for a malformed tag."""
        if language is None:
            return self.compiled
        with self._pinned_lock:
            if language in self._pinned:
                self._pinned.move_to_end(language)
                return self._pinned[language]
        compiled = _compile(self.compiler, language=language)
        with self._pinned_lock:
            self._pinned[language] = compiled
            while len(self._pinned) > LANGUAGE_GRAMMARS_KEPT:
                self._pinned.popitem(last=False)
        return compiled

    def processor(self, rows: Sequence[RowSpec] | None = None, *, greedy: bool = False, **one_row) -> BatchConstraint:
        """A logits processor (and stopping criterion) for one `generate()`
        call over `rows`, one `RowSpec` per row of the batch; or, with
        keyword arguments instead, for one row: `processor(budget=...,
        on_token=..., language=...)`. `greedy` says the call decodes
        greedily (it lets the processor skip masks the choice cannot need).
        Raises ValueError for a malformed language tag."""
        from vision.batch_constraint import BatchConstraint, RowSpec

        rows = list(rows) if rows is not None else [RowSpec(**one_row)]
        return BatchConstraint(self, rows, greedy=greedy)


def _compile(compiler: xgr.GrammarCompiler, *, language: str | None) -> xgr.CompiledGrammar:
    return compiler.compile_grammar(grammar_ebnf(language))


# How xgrammar writes a string of 1 to N characters, e.g.
#   root_prop_3 ::= (("\"" root_prop_3_characters{1, 200} "\""))
_BOUNDED_STRING = re.compile(r'^(?P<rule>\S+) ::= \(\("\\"" (?P<chars>\S+)\{1, (?P<most>\d+)\} "\\""\)\)$', re.M)


def grammar_ebnf(language: str | None = None) -> str:
    """The recipe grammar as xgrammar EBNF, from the recipe JSON Schema.

    Every required string (1 to N characters) starts with a character that
    neither cleaning nor stripping removes, then has up to N - 1 more, so
    no answer the grammar finishes holds a blank string. The schema says so
    with patterns, but a pattern's counted repetition costs xgrammar about
    50 ms a fill at Qwen's vocabulary, against 3-4 ms for its own bounded
    strings, which this keeps (see `recipe_json_schema`).
    """
    schema = recipe_json_schema(language, non_blank_patterns=False)
    grammar = xgr.Grammar.from_json_schema(json.dumps(schema), any_whitespace=False, strict_mode=True)
    first = f'[^{BLANK_CHARACTERS}\\"\\\\]'

    def non_blank(match: re.Match) -> str:
        rule, chars, most = match["rule"], match["chars"], int(match["most"])
        return f'{rule} ::= (("\\"" {first} {chars}{{0, {most - 1}}} "\\""))'

    ebnf, rewritten = _BOUNDED_STRING.subn(non_blank, str(grammar))
    if not rewritten:  # the tests pin xgrammar; this catches a version that writes strings otherwise
        raise RuntimeError("xgrammar wrote no bounded string rule to make non-blank; see vision.constraint")
    return ebnf


def _token_texts(tokenizer, vocab_size: int) -> list[str]:
    """Each token's text; empty for special tokens and partial UTF-8 bytes."""
    special = set(tokenizer.all_special_ids)
    texts = []
    for token_id in range(min(len(tokenizer), vocab_size)):
        text = "" if token_id in special else tokenizer.decode([token_id])
        texts.append("" if "\ufffd" in text else text)
    return texts


def grammar_text(raw: bytes) -> str:
    """`raw` decoded as xgrammar counts characters.

    xgrammar takes any sequence its lead byte announces as one character,
    overlong forms and UTF-16 surrogates included, where Python's decoder
    makes up to four U+FFFD of one such sequence: a string at its length
    bound would then fail validation. Each invalid sequence becomes one
    U+FFFD here, so lengths agree.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    chars, start = [], 0
    while start < len(raw):
        lead = raw[start]
        length = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1
        try:
            chars.append(raw[start : start + length].decode("utf-8"))
        except UnicodeDecodeError:
            chars.append("\ufffd")
        start += length
    return "".join(chars)


def _closing_bias(texts: list[str], vocab_size: int) -> torch.Tensor:
    bias = torch.zeros(vocab_size)
    for token_id, text in enumerate(texts):
        if not text or not set(text) <= set('",]}'):
            continue
        if "," in text:
            bias[token_id] = _NEXT_ITEM
        elif '"' in text:
            bias[token_id] = _CLOSE_STRING
        else:
            bias[token_id] = _CLOSE_LIST
    return bias


def _stop_only(stop_token_ids: Sequence[int], vocab_size: int) -> torch.Tensor:
    """A bitmask row (int32 words, 32 tokens each) allowing only the stop tokens."""
    words = [0] * ((vocab_size + 31) // 32)
    for token in stop_token_ids:
        words[token // 32] |= 1 << (token % 32)
    return torch.tensor([bitmask_word(word) for word in words], dtype=torch.int32)


def bitmask_word(bits: int) -> int:
    """An xgrammar bitmask word (int32) holding `bits`, an unsigned 32-bit value."""
    return bits - (1 << 32) if bits >= 1 << 31 else bits
