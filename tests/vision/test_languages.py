"""The prompt names a requested language in words as well as by tag."""

import pytest

from vision.languages import LANGUAGES, language_describe
from vision.prompts import prompt_messages

# The 40 most-spoken languages (Ethnologue's count of first and second
# language speakers), by their BCP 47 tags.
MOST_SPOKEN = [
    "en", "zh", "hi", "es", "fr", "ar", "bn", "pt", "ru", "ur", "id", "de", "ja", "pcm", "mr", "te", "tr", "ta",
    "yue", "vi", "wuu", "tl", "ko", "fa", "ha", "sw", "jv", "it", "pnb", "gu", "th", "kn", "am", "bho", "nan",
    "pa", "yo", "my", "pl", "ml",
]  # fmt: skip
# Qwen3's supported languages (its release lists 119 languages and dialects).
QWEN = [
    "en", "fr", "pt", "de", "ro", "sv", "da", "bg", "ru", "cs", "el", "uk", "es", "nl", "sk", "hr", "pl", "lt",
    "nb", "nn", "fa", "sl", "gu", "lv", "it", "oc", "ne", "mr", "be", "sr", "lb", "vec", "as", "cy", "szl", "ast",
    "hne", "awa", "mai", "bho", "sd", "ga", "fo", "hi", "pa", "bn", "or", "tg", "ydd", "lmo", "lij", "scn", "fur",
    "sc", "gl", "ca", "is", "als", "li", "prs", "af", "mk", "si", "ur", "mag", "bs", "hy", "zh", "yue", "my",
    "arb", "ars", "apc", "arz", "ary", "acm", "acq", "aeb", "he", "mt", "id", "ms", "tl", "ceb", "jv", "su",
    "min", "ban", "bjn", "pag", "ilo", "war", "ta", "te", "kn", "ml", "tr", "azj", "uzn", "kk", "ba", "tt", "th",
    "lo", "fi", "et", "hu", "vi", "km", "ja", "ko", "ka", "eu", "ht", "pap", "kea", "tpi", "sw",
]  # fmt: skip


def _language_line(tag):
    return prompt_messages(mode="auto", language=tag, image_count=1)[-1]["content"][-1]["text"].splitlines()[-1]


@pytest.mark.parametrize(
    ("tag", "words"),
    [("my", "Burmese (my)"), ("bn", "Bengali (bn)"), ("ur", "Urdu (ur)"), ("zh", "Chinese (zh)")],
)
def test_it_names_the_language_in_words_and_by_tag(tag, words):
    line = _language_line(tag)

    assert words in line
    assert f'"language" to "{tag}"' in line


def test_it_names_the_most_spoken_languages_and_every_one_qwen_supports():
    assert len(MOST_SPOKEN) == 40
    assert not [tag for tag in {*MOST_SPOKEN, *QWEN} if tag not in LANGUAGES]


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("pt-BR", "Portuguese (Brazil) (pt-BR)"),
        ("zh-Hant-TW", "Chinese (Traditional, Taiwan) (zh-Hant-TW)"),
        ("es-419", "Spanish (Latin America) (es-419)"),
        ("pt-XY", "Portuguese (pt-XY)"),  # an unknown region: the tag says it
    ],
)
def test_it_names_scripts_and_regions(tag, words):
    assert language_describe(tag) == words


def test_it_still_asks_for_a_language_it_cannot_name():
    line = _language_line("qaa")

    assert "qaa" in line
    assert '"language" to "qaa"' in line
