"""The recipe grammar against validation: whatever the grammar lets a model
write, and the backend accepts as finished, validates."""

import json
import random

import pytest
import torch
import xgrammar as xgr

from vision.constraint import grammar_text
from vision.errors import GenerationIncomplete
from vision.schema import Recipe, recipe_parse

from .test_schema import VALID

BLANKS = [" ", "   ", "\t", " \t ", "\x01", "\x1f", "\x7f", "\x85", "\xa0", "\u2003", "\u3000", " \x01 "]


def _generate(constraint, logits, *, budget, stop_token_ids):
    """What transformers' greedy `generate()` does with one logits processor:
    pass it the model's `logits[step]`, take the best token, feed it back;
    stop at a stop token or at the budget, without calling the processor
    after the last token."""
    ids = torch.zeros((1, budget + 1), dtype=torch.long)  # a one-token "prompt", then the answer
    tokens = []
    for step in range(budget):
        token = int(torch.argmax(constraint(ids[:, : step + 1], logits[step : step + 1])))
        tokens.append(token)
        ids[0, step + 1] = token
        if token in stop_token_ids:
            break
    return tokens


def _accepted(grammar, text):
    matcher = xgr.GrammarMatcher(grammar.compiled)
    return matcher.accept_string(text) and matcher.is_completed()


def _answer(**changes):
    return json.dumps(VALID | changes, ensure_ascii=False)


@pytest.fixture(scope="session")
def grammar(tiny_backend):
    return tiny_backend.grammar


@pytest.fixture(scope="session")
def tokenizer(tiny_backend):
    return tiny_backend.processor.tokenizer


@pytest.mark.parametrize("blank", BLANKS)
def test_it_lets_no_blank_required_string_through(grammar, blank):
    # Written raw, as a model writes them: json.dumps would escape controls,
    # and the grammar admits no escapes.
    answers = [
        _answer(title="@"),
        _answer(tags=["curry", "@"]),
        _answer(ingredients=[VALID["ingredients"][0] | {"name": "@"}]),
        _answer(steps=[{"text": "@", "minutes": None}]),
    ]
    assert all(not _accepted(grammar, answer.replace('"@"', f'"{blank}"')) for answer in answers)


def test_it_still_lets_strings_with_inner_and_trailing_spaces_through(grammar):
    assert _accepted(grammar, _answer(title="Chicken  curry ", tags=["a b "]))
    assert not _accepted(grammar, _answer(title="  Chicken curry"))


def test_it_lets_no_lone_surrogate_escape_through(grammar):
    # xgrammar 0.2.9 admits no escape in a bounded string; `recipe_parse`
    # turns lone surrogates into U+FFFD should a future grammar let one by.
    assert not _accepted(grammar, _answer(title="x").replace('"title": "x"', '"title": "\\ud83d"'))


def test_it_counts_an_invalid_utf8_sequence_as_one_character_as_the_grammar_does():
    # An overlong "*", a UTF-16 surrogate, then "a": three characters to
    # xgrammar, seven U+FFFD and an "a" to Python's decoder.
    assert grammar_text(b"\xe0\x80\xaa\xed\xa0\x80a") == "\ufffd\ufffda"
    assert grammar_text("Curry \U0001f35b".encode()) == "Curry \U0001f35b"


def test_it_takes_a_title_of_invalid_utf8_at_its_length_bound(grammar):
    raw = _answer(title="@").encode().replace(b'"@"', b'"' + b"\xed\xa0\x80" * 200 + b'"')
    matcher = xgr.GrammarMatcher(grammar.compiled)
    assert matcher.accept_string(raw) and matcher.is_completed()
    assert recipe_parse(grammar_text(raw)).title == "\ufffd" * 200


def _spelling(tokens, vocab_size):
    """Logits that make a model write exactly `tokens`."""
    logits = torch.zeros((len(tokens) + 5, vocab_size))
    logits[range(len(tokens)), tokens] = 1e6
    return logits


def _spelled(grammar, tokenizer, text, stop_token_ids):
    """The tokens a model that means to write `text`, then stop, writes
    under the constraint: the tokenizer's spelling, except where the grammar
    forces the text and the constraint picks the tokens (then the stop token)."""
    target, tokens = text.encode(), []
    constraint = grammar.processor(budget=len(target) + 1)
    while not tokens or tokens[-1] not in stop_token_ids:
        written = b"".join(grammar.token_bytes[token] for token in tokens)
        assert target.startswith(written)
        rest = target[len(written) :].decode()
        meant = tokenizer.encode(rest, add_special_tokens=False)[0] if rest else stop_token_ids[0]
        ids = torch.tensor([[0, *tokens]])
        tokens.append(int(torch.argmax(constraint(ids, _spelling([meant], grammar.vocab_size)[:1]))))
    assert tokenizer.decode(tokens[:-1]) == text
    return tokens


def test_it_takes_a_recipe_whose_closing_brace_is_the_budgets_last_token(grammar, tokenizer, tiny_backend):
    tokens = _spelled(grammar, tokenizer, _answer(), tiny_backend.stop_token_ids)[:-1]
    constraint = grammar.processor(budget=len(tokens))
    written = _generate(
        constraint, _spelling(tokens, grammar.vocab_size), budget=len(tokens), stop_token_ids=tiny_backend.stop_token_ids
    )
    assert written == tokens
    assert constraint.answer(written).title == "Chicken curry"


def test_it_takes_a_recipe_closed_by_a_stop_token(grammar, tokenizer, tiny_backend):
    tokens = _spelled(grammar, tokenizer, _answer(), tiny_backend.stop_token_ids)
    constraint = grammar.processor(budget=len(tokens) + 5)
    written = _generate(
        constraint,
        _spelling(tokens, grammar.vocab_size),
        budget=len(tokens) + 5,
        stop_token_ids=tiny_backend.stop_token_ids,
    )
    assert written == tokens
    assert isinstance(constraint.answer(written), Recipe)


def test_it_reports_a_recipe_one_token_short_as_incomplete(grammar, tokenizer, tiny_backend):
    tokens = _spelled(grammar, tokenizer, _answer(), tiny_backend.stop_token_ids)[:-2]
    constraint = grammar.processor(budget=len(tokens))
    written = _generate(
        constraint, _spelling(tokens, grammar.vocab_size), budget=len(tokens), stop_token_ids=tiny_backend.stop_token_ids
    )
    with pytest.raises(GenerationIncomplete):
        constraint.answer(written)


def _token_groups(token_bytes):
    """Tokens where the bugs live: blanks (whitespace and controls in any
    encoding), escapes, quotes, closing punctuation, and bytes that start or
    continue multi-byte (or invalid) UTF-8."""
    blank_bytes = {b for c in map(chr, [*range(0x21), *range(0x7F, 0xA1), 0x1680, *range(0x2000, 0x200B), 0x2028,
                                        0x2029, 0x202F, 0x205F, 0x3000]) for b in c.encode()}
    groups = {"blank": [], "escape": [], "quote": [], "closing": [], "high": []}
    for token, raw in enumerate(token_bytes):
        if raw and set(raw) <= blank_bytes:
            groups["blank"].append(token)
        if b"\\" in raw or raw.strip(b"0123456789abcdefABCDEFu") == b"":
            groups["escape"].append(token)
        if b'"' in raw:
            groups["quote"].append(token)
        if raw and set(raw) <= set(b'",]} '):
            groups["closing"].append(token)
        if raw and raw[0] >= 0x80:
            groups["high"].append(token)
    return {name: torch.tensor(tokens) for name, tokens in groups.items()}


def _is_json(text):
    try:
        json.loads(text, strict=False)
    except ValueError:
        return False
    return True


# 500 decodes: mostly tight budgets (where wrap-up, incomplete answers and a
# closing brace on the last token happen), some medium, a few full-size.
BUDGETS = [("tight", 340, 160, 320), ("medium", 150, 320, 700), ("full", 10, 2048, 2048)]


def test_it_always_validates_what_it_finishes_over_random_logits(grammar, tokenizer, tiny_backend):
    """500 constrained decodes over random logits, the tiny tokenizer's real
    vocabulary and the backend's own grammar, budgets from below the
    smallest workable one (about 190 tokens for an empty recipe) to 2,048.

    Each decode runs as `generate()` does (no processor call after the last
    token) and goes through `RecipeConstraint.answer`, the backend's own
    decision. An answer that is JSON must come back a valid `Recipe`; any
    other must raise `GenerationIncomplete`, never `RecipeInvalid`. Logits
    are sometimes biased towards blanks, escapes, quotes, closing
    punctuation and non-ASCII bytes, and are sometimes flat, sometimes
    peaked. About 140,000 tokens, under a minute on two cores.
    """
    seeds = random.Random(20240611)
    generator = torch.Generator().manual_seed(20240611)
    noise = torch.randn((4096, grammar.vocab_size), generator=generator)
    groups = _token_groups(grammar.token_bytes)
    outcomes = {"finished": 0, "incomplete": 0, "closed_on_last_token": 0}
    for kind, count, low, high in BUDGETS:
        for _ in range(count):
            budget = seeds.randint(low, high)
            bias = torch.zeros(grammar.vocab_size)
            for tokens in groups.values():
                if seeds.random() < 0.4:
                    bias[tokens] += seeds.uniform(2, 12)
            scale = seeds.choice([0.3, 1.0, 3.0, 10.0])
            # Greedy choice over fresh Gaussian logits samples a token at random.
            logits = noise[torch.randint(len(noise), (budget,), generator=generator)] * scale + bias
            constraint = grammar.processor(budget=budget)
            written = _generate(constraint, logits, budget=budget, stop_token_ids=tiny_backend.stop_token_ids)
            text = tokenizer.decode(written, skip_special_tokens=True)
            context = f"{kind} budget {budget}, {len(written)} tokens: {text!r}"
            if _is_json(text):
                assert isinstance(constraint.answer(written), Recipe), context
                outcomes["finished"] += 1
                outcomes["closed_on_last_token"] += written[-1] not in tiny_backend.stop_token_ids
            else:
                assert written[-1] not in tiny_backend.stop_token_ids, context
                with pytest.raises(GenerationIncomplete):
                    constraint.answer(written)
                outcomes["incomplete"] += 1
    assert min(outcomes.values()) > 0, outcomes


@pytest.mark.parametrize(("field", "most"), [("title", 200), ("tags", 40), ("name", 120), ("text", 1000)])
def test_it_bounds_each_required_string_at_its_schema_length(grammar, field, most):
    def answer(length):
        value = "a" * length
        if field == "tags":
            return _answer(tags=[value])
        if field == "name":
            return _answer(ingredients=[VALID["ingredients"][0] | {"name": value}])
        if field == "text":
            return _answer(steps=[{"text": value, "minutes": None}])
        return _answer(title=value)

    assert _accepted(grammar, answer(most))
    assert not _accepted(grammar, answer(most + 1))
