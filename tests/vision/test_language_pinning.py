"""A requested language is fixed by the grammar while decoding, so the
recipe carries exactly the tag asked for, whatever the model would write."""

import json

import pytest
import xgrammar as xgr

from vision.backend import GenerationOptions
from vision.schema import recipe_json_schema

from .test_schema import VALID


@pytest.mark.parametrize("language", ["my", "bn", "ur", "zh"])
def test_it_writes_the_recipe_in_the_language_asked_for(tiny_backend, photos, language):
    recipe = tiny_backend.generate([photos["dish.jpg"]], GenerationOptions(language=language, max_new_tokens=320))

    assert recipe.language == language


def test_it_pins_the_language_when_sampling_and_on_a_tight_budget(tiny_backend, photos):
    options = GenerationOptions(mode="dish_photo", language="zh-Hant-TW", temperature=1.0, seed=7, max_new_tokens=320)

    assert tiny_backend.generate([photos["dish.jpg"]], options).language == "zh-Hant-TW"


def test_it_lets_the_model_choose_without_a_request(tiny_backend, photos):
    # The random tiny model writes a tag of its own: nothing overrides it.
    recipe = tiny_backend.generate([photos["dish.jpg"]], GenerationOptions(max_new_tokens=320))

    assert recipe.language not in {"my", "bn", "ur", "zh"}


def test_its_grammar_admits_no_other_tag(tiny_backend):
    def accepted(compiled, language):
        matcher = xgr.GrammarMatcher(compiled)
        return matcher.accept_string(json.dumps(VALID | {"language": language}, ensure_ascii=False))

    pinned = tiny_backend.grammar.for_language("my")

    assert accepted(pinned, "my")
    assert not accepted(pinned, "en")
    assert not accepted(pinned, "my-MM")
    assert accepted(tiny_backend.grammar.for_language(None), "en")


def test_it_compiles_a_languages_grammar_once(tiny_backend):
    grammar = tiny_backend.grammar

    assert grammar.for_language("ur") is grammar.for_language("ur")
    assert grammar.for_language(None) is grammar.compiled


def test_it_refuses_to_pin_a_malformed_tag():
    with pytest.raises(ValueError):
        recipe_json_schema('en" , "x')
