"""The recipe grammar against validation: whatever the grammar lets a model
write, and the backend accepts as finished, validates."""

import json

import pytest
import xgrammar as xgr


from .test_schema import VALID

BLANKS = [" ", "   ", "\t", " \t ", "\x01", "\x1f", "\x7f", "\x85", "\xa0", "\u2003", "\u3000", " \x01 "]


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
