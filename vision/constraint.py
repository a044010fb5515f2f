"""Constrained decoding: the model can only write tokens that keep its answer
a valid recipe, and it is steered to close the answer before its budget ends.

xgrammar compiles the recipe JSON Schema against the tokenizer once per
backend, and once more for each language a request pins (see
`RecipeGrammar.for_language`); each generation gets a fresh matcher. Strings
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

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import transformers
import xgrammar as xgr

from vision.errors import GenerationIncomplete
from vision.schema import Recipe, recipe_json_schema, recipe_parse

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


@dataclass(frozen=True)
class RecipeGrammar:
    """The recipe grammar compiled for one tokenizer, plus its closing bias.

    `compiled` leaves the `language` field to the model; `for_language`
    gives the grammar that fixes it to one tag, compiled on first use and
    kept. `token_bytes` are the bytes the grammar matches for each token;
    the answer is read from them (stop tokens left out), not re-decoded by
    the tokenizer, so what is validated is exactly what the grammar checked.
    """

    compiled: xgr.CompiledGrammar
    closing_bias: torch.Tensor
    vocab_size: int
    token_ids: dict[str, int]
    token_bytes: list[bytes]
    stop_token_ids: frozenset[int]
    compiler: xgr.GrammarCompiler
    _pinned: OrderedDict[str, xgr.CompiledGrammar] = field(default_factory=OrderedDict, compare=False, repr=False)
    _pinned_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @classmethod
    def compile(cls, tokenizer, vocab_size: int, stop_token_ids: list[int]) -> RecipeGrammar:
        """Compile the recipe schema for `tokenizer`; `vocab_size` is the model's logits width."""
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size, stop_token_ids=stop_token_ids)
        compiler = xgr.GrammarCompiler(info)
        compiled = _compile(compiler, language=None)
        texts = _token_texts(tokenizer, vocab_size)
        token_ids = {text: token_id for token_id, text in reversed(list(enumerate(texts))) if text}
        return cls(
            compiled,
            _closing_bias(texts, vocab_size),
            vocab_size,
            token_ids,
            list(info.decoded_vocab),
            frozenset(info.stop_token_ids),
            compiler,
        )

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

    def processor(
        self, *, budget: int, on_token: Callable[[int], None] | None = None, language: str | None = None
    ) -> RecipeConstraint:
        """A logits processor for one `generate()` call of at most `budget`
        new tokens; `on_token(tokens_so_far)` is called at every step. With
        `language`, the answer's `language` field is that tag."""
        return RecipeConstraint(
            self,
            self.for_language(language),
            budget=budget,
            reserve=min(WRAP_UP_RESERVE, budget // 2),
            on_token=on_token,
        )


def _compile(compiler: xgr.GrammarCompiler, *, language: str | None) -> xgr.CompiledGrammar:
    return compiler.compile_json_schema(recipe_json_schema(language), any_whitespace=False, strict_mode=True)


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


class RecipeConstraint(transformers.LogitsProcessor):
    """Masks every token the recipe grammar forbids (batch size 1).

    `generate()` does not call a processor after the last token, so pass the
    tokens it returned to `answer()`, which judges the last one too and
    reads the recipe.
    """

    def __init__(
        self,
        grammar: RecipeGrammar,
        compiled: xgr.CompiledGrammar,
        *,
        budget: int,
        reserve: int,
        on_token: Callable[[int], None] | None = None,
    ):
        self.matcher = xgr.GrammarMatcher(compiled)
        self.bitmask = xgr.allocate_token_bitmask(1, grammar.vocab_size)
        self.closing_bias = grammar.closing_bias
        self.token_ids = grammar.token_ids
        self.token_bytes = grammar.token_bytes
        self.stop_token_ids = grammar.stop_token_ids
        self.budget = budget
        self.wrap_up_from = max(budget - reserve, 0)
        self.steps = 0
        self.on_token = on_token

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if input_ids.shape[0] != 1:
            raise ValueError("RecipeConstraint decodes one sequence at a time")
        if self.steps and not self.matcher.accept_token(int(input_ids[0, -1])):
            raise RuntimeError("the model produced a token the recipe grammar forbids")
        if self.on_token is not None:
            self.on_token(self.steps)
        self.steps += 1
        self.matcher.fill_next_token_bitmask(self.bitmask)
        scores = scores.float()
        if self.steps > self.wrap_up_from:
            scores = scores + self.closing_bias[: scores.shape[-1]].to(scores.device)
        forced = self._forced_token()
        if forced is not None:
            scores[0, forced] += 2 * _CLOSE_STRING
        # xgrammar masks in place on CPU and CUDA tensors only.
        masked = scores if scores.device.type in ("cpu", "cuda") else scores.cpu()
        xgr.apply_token_bitmask_inplace(masked, self.bitmask.to(masked.device))
        return masked.to(scores.device)

    def _forced_token(self) -> int | None:
        """The longest token spelling the start of the text the grammar forces next."""
        forced = self.matcher.find_jump_forward_string()
        for end in range(min(len(forced), 32), 0, -1):
            token_id = self.token_ids.get(forced[:end])
            if token_id is not None:
                return token_id
        return None

    def answer(self, new_tokens: Sequence[int]) -> Recipe:
        """The recipe that `new_tokens` (what `generate()` wrote after the
        prompt, stop token included) spell.

        Raises `GenerationIncomplete` when the answer was not closed within
        the budget, and `RecipeInvalid` when a closed answer breaks the schema,
        which the grammar exists to prevent.
        """
        if not new_tokens or not self._closed(int(new_tokens[-1])):
            raise GenerationIncomplete(f"the model did not finish the recipe within {self.budget} tokens")
        raw = b"".join(self.token_bytes[token] for token in new_tokens if token not in self.stop_token_ids)
        return recipe_parse(grammar_text(raw))

    def _closed(self, last_token: int) -> bool:
        # A closing brace that is the budget's last token leaves the grammar
        # complete but with no room for a stop token: that answer is whole.
        return self.matcher.accept_token(last_token) and (self.matcher.is_terminated() or self.matcher.is_completed())
