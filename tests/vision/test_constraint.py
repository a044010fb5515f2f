"""The recipe grammar against validation: whatever the grammar lets a model
write, and the backend accepts as finished, validates."""

import json

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


def _spelled(tokenizer, text):
    tokens = tokenizer.encode(text, add_special_tokens=False)
    assert tokenizer.decode(tokens) == text
    return tokens


def test_it_takes_a_recipe_whose_closing_brace_is_the_budgets_last_token(grammar, tokenizer, tiny_backend):
    tokens = _spelled(tokenizer, _answer())
    constraint = grammar.processor(budget=len(tokens))
    written = _generate(
        constraint, _spelling(tokens, grammar.vocab_size), budget=len(tokens), stop_token_ids=tiny_backend.stop_token_ids
    )
    assert written == tokens
    assert constraint.answer(written).title == "Chicken curry"


def test_it_takes_a_recipe_closed_by_a_stop_token(grammar, tokenizer, tiny_backend):
    tokens = [*_spelled(tokenizer, _answer()), tiny_backend.stop_token_ids[0]]
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
    tokens = _spelled(tokenizer, _answer())[:-1]
    constraint = grammar.processor(budget=len(tokens))
    written = _generate(
        constraint, _spelling(tokens, grammar.vocab_size), budget=len(tokens), stop_token_ids=tiny_backend.stop_token_ids
    )
    with pytest.raises(GenerationIncomplete):
        constraint.answer(written)
