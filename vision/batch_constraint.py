"""One constrained decode of a batch: each row its own grammar matcher,
budget, closing phase and outcome, all rows masked in one batched bitmask.

`BatchConstraint` is both the logits processor and a stopping criterion of
one `generate()` call. As a stopping criterion it sees each step's tokens
the moment they are chosen: it feeds them to the rows' matchers, marks the
rows that are done (stopped, out of budget, or refused by the grammar), and
starts filling the next bitmask on the grammar's filler thread, so the fill
runs while the forward pass computes the next logits. As a processor it
waits for that fill, then biases and masks all rows with a few in-place
tensor operations: nothing is allocated per step on an accelerator.

Only rows that have a choice cost a fill. Where the grammar forces the next
text (a key name, the punctuation around it: over half the steps of a
recipe), the row's mask allows just the longest token spelling it, found
without asking the grammar about the whole vocabulary. A finished row's
mask allows only the stop tokens: they are its padding (the backend leaves
stopping to the constraint, not to `generate()`'s own stop check). On a
CPU, where masking a row costs about as much as a small model's step, such
rows are set directly instead of going through the mask kernel, and so are
rows whose mask allows or forbids few tokens, from the list of those tokens
(`_ListedMasks`).
A row the grammar refuses fails alone, with `RecipeInvalid`.

Greedy decoding on a CPU checks first (`greedy=True`): the logits are
already in host memory, and the row's best token is usually one the grammar
allows (inside a string nearly every token is). Where it is, that token is
what the mask would have chosen too, so the row needs neither a fill nor a
mask, and its matcher keeps the token it accepted to check it (given back
if another is chosen after all); only rows whose best token the grammar
refuses are filled and masked, and a forced or listed row only has its one
token pushed above the rest.
Nothing then runs beside the forward pass, which on a CPU shares the cores.

Used only as a processor (no stopping criterion), it catches up itself:
it reads the last tokens from `input_ids` and fills the mask in line.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import torch
import transformers
import xgrammar as xgr

from vision.constraint import WRAP_UP_RESERVE, RecipeGrammar, bitmask_word, grammar_text
from vision.errors import GenerationIncomplete, RecipeInvalid, VisionError
from vision.schema import Recipe, recipe_parse


@dataclass(frozen=True)
class RowSpec:
    """What one row of a batch asks: at most `budget` new tokens, the
    answer's `language` pinned (or None), `on_token(tokens_so_far)` called
    at each of its steps."""

    budget: int
    language: str | None = None
    on_token: Callable[[int], None] | None = None


class _RowsDone(transformers.StoppingCriteria):
    def __init__(self, constraint: BatchConstraint):
        self.constraint = weakref.proxy(constraint)  # its attribute: no reference cycle

    def __call__(self, input_ids: torch.LongTensor, scores, **kwargs) -> torch.BoolTensor:
        return self.constraint._after_step(input_ids)


class _Row:
    def __init__(self, grammar: RecipeGrammar, spec: RowSpec):
        self.matcher = xgr.GrammarMatcher(grammar.for_language(spec.language))
        self.budget = spec.budget
        self.wrap_up_from = max(spec.budget - min(WRAP_UP_RESERVE, spec.budget // 2), 0)
        self.on_token = spec.on_token
        self.accepted = 0  # tokens the matcher has taken, stop token included
        self.steps = 0  # processor calls made for this row
        self.done = False
        self.wrapping = False  # its closing bias is on (the budget's reserve)
        self.masked_off = False  # its mask row allows only the stop tokens
        self.ahead: int | None = None  # its best token, checked first and already accepted
        self.error: VisionError | None = None

    def step(self) -> None:
        """Count a processor call for this row, telling `on_token` first."""
        if self.on_token is not None:
            self.on_token(self.steps)
        self.steps += 1

    def give_back(self) -> None:
        """Undo the checked token's acceptance, if one is pending."""
        if self.ahead is not None:
            self.matcher.rollback(1)
            self.ahead = None


class _ListedMasks:
    """Bitmask rows kept as the short list of the tokens they allow or
    forbid, for the CPU.

    xgrammar's CPU kernel walks every logit of a row (0.3-0.6 ms at Qwen's
    151,936 tokens), where listing a mask takes about 35 us and applying a
    list writes only its tokens. The same few masks come again and again:
    93% of the rows filled in a decode at that size (`bench/generate`)
    carried one seen before in it. So lists are kept, by the mask's bytes
    (a hash of its 19 KB), the least recently used dropped beyond CAPACITY.
    """

    CAPACITY = 256
    LISTED = 16_384  # a longer list costs about what the kernel does

    def __init__(self):
        self.entries: OrderedDict[tuple, tuple[bool, np.ndarray] | bool] = OrderedDict()

    def apply(self, logits: torch.Tensor, bitmask: torch.Tensor, *, greedy: bool = False) -> bool:
        """Mask the 1-D `logits` by the 1-D `bitmask` row as xgrammar's kernel
        would (the first min(len(logits), 32 * len(bitmask)) tokens); False,
        changing nothing, where the row is better left to the kernel. With
        `greedy`, a mask allowing few tokens only pushes the best of them
        above all (what greedy decoding takes from the masked row)."""
        key = (logits.shape[-1], bitmask.numpy().tobytes())
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = self._listed(bitmask, logits.shape[-1])
            if len(self.entries) > self.CAPACITY:
                self.entries.popitem(last=False)
        else:
            self.entries.move_to_end(key)
        if not entry:
            return False
        allowed, ids = entry
        row = logits.numpy()  # numpy indexes a few ids several times faster than torch
        if allowed and greedy and logits.shape[-1] <= 32 * bitmask.shape[-1]:
            # argmax takes the first of equal logits: the lowest id, as on the
            # masked row. (Logits past the bitmask stay unmasked, and compete.)
            row[ids[row[ids].argmax()]] = np.inf
        elif allowed:
            kept = row[ids]
            row[: 32 * bitmask.shape[-1]] = -np.inf
            row[ids] = kept
        else:
            row[ids] = -np.inf
        return True

    def _listed(self, bitmask: torch.Tensor, width: int) -> tuple[bool, np.ndarray] | bool:
        # Token i is bit i % 32 of int32 word i // 32: in little-endian
        # memory, bit i % 8 of byte i // 8.
        bits = np.unpackbits(bitmask.numpy().view(np.uint8), bitorder="little")[:width].view(bool)
        allowed = int(np.count_nonzero(bits))
        if allowed <= self.LISTED:
            return True, np.flatnonzero(bits)
        if bits.size - allowed <= self.LISTED:
            return False, np.flatnonzero(~bits)
        return False


def _call_inspected_cheaply(processor: transformers.LogitsProcessor) -> None:
    """transformers runs `inspect.signature(processor.__call__)` on each
    logits processor at every step (`LogitsProcessorList`). For a bound
    method that builds a new `Signature` each time, right after a forward
    pass, when its code is out of the caches: the list's call took 38-43 us
    for a processor doing nothing, 22-27 us with this. An instance attribute
    named `__call__` shadows the method for that lookup only (calling the
    processor still goes through its class), so it is given a stand-in
    carrying the signature, derived once. It refers to the processor weakly:
    no reference cycle keeps a finished decode's buffers alive."""
    call = functools.partial(type(processor).__call__, weakref.proxy(processor))
    call.__signature__ = inspect.signature(processor.__call__)
    processor.__call__ = call


class BatchConstraint(transformers.LogitsProcessor):
    """Masks every token the recipe grammar forbids, row by row; its
    `stopping_criterion` stops each row when its answer is finished or its
    budget spent.

    `generate()` returns each row's tokens; pass them, cut after the row's
    first stop token, to `answer(tokens, row)`.
    """

    def __init__(self, grammar: RecipeGrammar, rows: Sequence[RowSpec], *, greedy: bool = False):
        self.grammar = grammar
        self.rows = [_Row(grammar, spec) for spec in rows]
        self.device = grammar.closing_bias.device
        # Check the best token first, fill only where the grammar refuses it:
        # exact for greedy decoding, and cheap where the logits are on the host.
        self.check_first = greedy and self.device.type == "cpu"
        size = len(self.rows)
        # Host buffers are pinned on CUDA so that their copies to the device
        # do not block. Each is rewritten only after the step that copied it
        # has synchronised (its tokens were read), so one of each suffices.
        self.host = {
            "bitmask": xgr.allocate_token_bitmask(size, grammar.vocab_size),
            "done": torch.zeros(size, dtype=torch.bool),
            "wrap_up": torch.zeros((size, 1), dtype=torch.float32),
        }
        if self.device.type == "cuda":
            self.host = {name: tensor.pin_memory() for name, tensor in self.host.items()}
        self.on_device = {name: tensor.to(self.device) for name, tensor in self.host.items()}
        self.tokens = torch.zeros(size, dtype=torch.long, pin_memory=self.device.type == "cuda")
        # Set by each fill: the rows whose mask the grammar filled, and the
        # others' few allowed tokens (the forced one, or the stop tokens).
        self.filled: list[int] = []
        self.only: dict[int, list[int]] = {}
        self.listed = _ListedMasks()
        self.fills = 0  # row masks asked of the grammar, over the whole decode
        self.stop_tokens = grammar.stop_token_list  # a finished row's padding (the first, when checking first)
        self.seen_length: int | None = None
        self.pending: Future | None = None
        self.stopping_criterion = _RowsDone(self)
        _call_inspected_cheaply(self)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self.check_first:
            return self._check_first(input_ids, scores)
        if self.pending is None:
            # Not driven by the stopping criterion (the first step, or a
            # caller of its own): catch up and fill now. Fills always run on
            # the grammar's one filler thread, which owns its batch matcher.
            self._catch_up(input_ids)
            self.grammar.filler.submit(self._fill).result()
        else:
            self.pending.result()
            self.pending = None
        for row in self.rows:
            if not row.done:
                row.step()
        return self._mask(scores)

    def _after_step(self, input_ids: torch.LongTensor) -> torch.BoolTensor:
        """The stopping criterion: take this step's tokens, start the next
        fill beside the forward pass, say which rows are done."""
        self._catch_up(input_ids)
        if not self.check_first:  # which fills in line, only the rows that need it
            self.pending = self.grammar.filler.submit(self._fill)
        done = self.on_device["done"]
        if done is not self.host["done"]:
            done.copy_(self.host["done"], non_blocking=True)
        return done if done.device == input_ids.device else self.host["done"].to(input_ids.device)

    def _catch_up(self, input_ids: torch.LongTensor) -> None:
        """Feed each live row's matcher the token chosen since the last call."""
        if self.seen_length is None or input_ids.shape[1] <= self.seen_length:
            self.seen_length = input_ids.shape[1]
            return
        self.seen_length = input_ids.shape[1]
        last = input_ids[:, -1]
        if last.device.type == "cpu":
            tokens = last.tolist()
        else:  # through the pinned buffer: no host memory allocated per step
            tokens = self.tokens.copy_(last).tolist()
        for index, (row, token) in enumerate(zip(self.rows, tokens, strict=True)):
            if not row.done:
                self._accept(row, token)
                if row.done:
                    self.host["done"][index] = True

    def _accept(self, row: _Row, token: int) -> None:
        if row.ahead == token:  # accepted when it was checked
            row.ahead = None
        else:
            row.give_back()  # not chosen after all (NaN logits, a caller's own choice)
            if not row.matcher.accept_token(token):
                row.error = RecipeInvalid("the model produced a token the recipe grammar forbids")
                row.done = True
                return
        row.accepted += 1
        # Only a stop token ends a matcher: asking it at every step costs a call.
        stopped = token in self.grammar.stop_token_ids and row.matcher.is_terminated()
        row.done = stopped or row.accepted >= row.budget

    def _fill(self) -> None:
        """The next bitmask: for each live row the token the grammar forces
        or, where it forces none, the grammar's mask (rows filled in
        parallel); the stop-only row for finished ones."""
        self._plan()
        self.fills += len(self.filled)
        if self.filled:
            self.grammar.batch_matcher.batch_fill_next_token_bitmask(
                [self.rows[index].matcher for index in self.filled], self.host["bitmask"], self.filled
            )

    def _plan(self) -> None:
        """`_fill` short of asking the grammar for masks: the forced and
        finished rows' masks, and in `filled` the rows that need the grammar's."""
        host, bitmask, stops = self.host, self.host["bitmask"].numpy(), self.stop_tokens
        self.filled, self.only = [], {}
        for index, row in enumerate(self.rows):
            if row.done:
                if not row.masked_off:
                    bitmask[index] = self.grammar.stop_only.numpy()
                    host["wrap_up"][index, 0] = 0.0
                    row.masked_off = True
                self.only[index] = stops
                continue
            if not row.wrapping and row.steps + 1 > row.wrap_up_from:
                host["wrap_up"][index, 0] = 1.0
                row.wrapping = True
            forced = self._forced_token(row.matcher)
            if forced is None:
                self.filled.append(index)
                continue
            self.only[index] = [forced]
            word, bit = divmod(forced, 32)
            bitmask[index] = 0
            bitmask[index, word] = bitmask_word(1 << bit)

    def _forced_token(self, matcher: xgr.GrammarMatcher) -> int | None:
        """The longest token spelling the start of the text the grammar forces next."""
        forced = matcher.find_jump_forward_string()
        return self.grammar.forced_token(forced) if forced else None

    def _mask(self, scores: torch.FloatTensor) -> torch.FloatTensor:
        # transformers hands over a float32 copy of the logits, ours to edit.
        work = scores if scores.dtype == torch.float32 else scores.float()
        on_device = work.device == self.device
        if not on_device:  # a caller of its own, or xgrammar lacks a kernel there
            work = work.cpu()
        buffers = self.on_device if on_device else self.host
        for name, host in self.host.items():
            if name != "done" and buffers[name] is not host:
                buffers[name].copy_(host, non_blocking=True)
        self._bias(work, buffers["wrap_up"])
        if work.device.type != "cpu":
            # One kernel over every row: the forced and finished rows' masks are in the bitmask too.
            xgr.apply_token_bitmask_inplace(work, buffers["bitmask"])
        else:
            bitmask = buffers["bitmask"]
            unlisted = [index for index in self.filled if not self.listed.apply(work[index], bitmask[index])]
            if unlisted:
                xgr.apply_token_bitmask_inplace(work, bitmask, indices=unlisted)
            for index, allowed in self.only.items():
                work[index].fill_(float("-inf"))
                work[index, allowed] = 0.0
        return work if work.device == scores.device else work.to(scores.device)

    def _bias(self, work: torch.Tensor, wrap_up: torch.Tensor) -> None:
        """Add the closing bias to the rows inside their budget's reserve."""
        wrapping = [index for index, row in enumerate(self.rows) if row.wrapping and not row.done]
        if not wrapping:
            return
        if work.device.type == "cpu":
            logits = work.numpy()
            for index in wrapping:
                self._bias_row(work, logits, index)
            return
        vocab = min(work.shape[-1], self.grammar.vocab_size)
        work[:, :vocab].addcmul_(wrap_up, self.grammar.closing_bias[:vocab].to(work.device))

    def _bias_row(self, work: torch.Tensor, logits: np.ndarray, index: int) -> None:
        """`_bias` for one row of host logits (`logits` is `work` in numpy)."""
        grammar = self.grammar
        if logits.shape[-1] >= grammar.vocab_size:  # a few dozen entries, not the whole row
            logits[index, grammar.closing_ids] += grammar.closing_values
        else:  # narrower logits than the vocabulary: a caller of its own
            work[index] += grammar.closing_bias[: logits.shape[-1]].to(work.device)

    def _check_first(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        """A greedy step on a CPU, one row after another, in one pass.

        A finished row gets a stop token (its padding) pushed above the rest,
        a forced row its forced token. Any other row's best token (the
        closing bias added first, inside the reserve) is checked: if the
        grammar allows it, greedy decoding takes it, as it would have under
        the mask, so the row keeps its logits and its matcher keeps the
        token (`_Row.ahead`) rather than taking it again when the step's
        tokens are read. Only a row whose best token the grammar refuses is
        filled and masked.

        After a forward pass this code runs with cold caches, where each
        distinct numpy or torch call costs several microseconds: hence one
        pass, and no buffer, list or device check that the pass can do
        without.
        """
        self._catch_up(input_ids)  # done already where the stopping criterion ran
        work = scores if scores.dtype == torch.float32 else scores.float()
        logits = work.numpy()
        bitmask = self.host["bitmask"]
        for index, row in enumerate(self.rows):
            if row.done:
                logits[index, self.stop_tokens[0]] = np.inf
                continue
            row.step()
            token = self._forced_token(row.matcher)
            if token is not None:
                logits[index, token] = np.inf
                continue
            if row.steps > row.wrap_up_from:  # the closing bias changes only which token is best
                row.wrapping = True
                self._bias_row(work, logits, index)
            # numpy's argmax is vectorised; torch's walks 151,936 logits
            # about ten times slower on one CPU thread.
            best = int(logits[index].argmax())
            if row.matcher.accept_token(best):
                row.ahead = best
                continue
            self.fills += 1
            row.matcher.fill_next_token_bitmask(bitmask, index)
            if not self.listed.apply(work[index], bitmask[index], greedy=True):
                xgr.apply_token_bitmask_inplace(work, bitmask, indices=[index])
        return work

    # --- after the decode -------------------------------------------------

    def answer(self, new_tokens: Sequence[int], row: int = 0) -> Recipe:
        """The recipe that `new_tokens` (what `generate()` wrote for `row`
        after the prompt, up to its first stop token) spell.

        Raises `GenerationIncomplete` when the answer was not closed within
        the row's budget, and `RecipeInvalid` when the grammar refused a
        token or a closed answer breaks the schema, which the grammar exists
        to prevent.
        """
        state = self.rows[row]
        if state.error is not None:
            raise state.error
        matcher = state.matcher
        state.give_back()  # checked at a step whose token was never read
        # Without the stopping criterion the last token is still unseen.
        unseen = [] if state.done else list(new_tokens[state.accepted :])
        closed = all(matcher.accept_token(int(token)) for token in unseen)
        if not new_tokens or not closed or not (matcher.is_terminated() or matcher.is_completed()):
            raise GenerationIncomplete(f"the model did not finish the recipe within {state.budget} tokens")
        stop = self.grammar.stop_token_ids
        raw = b"".join(self.grammar.token_bytes[token] for token in new_tokens if token not in stop)
        return recipe_parse(grammar_text(raw))
