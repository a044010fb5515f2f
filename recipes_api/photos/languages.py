"""Which language an upload asks its recipe to be written in."""

import re

from django.utils.translation.trans_real import parse_accept_lang_header
from vision.schema import LANGUAGE_TAG_PATTERN


def language_requested(*, field: str, accept_language: str) -> str:
    """The BCP 47 tag the recipe should be written in: the upload's `language`
    field when given, else the most preferred valid tag of the
    `Accept-Language` header (`*`, q=0 and malformed entries are passed
    over), else "" (the model follows the photo)."""
    if field:
        return field
    for tag, quality in parse_accept_lang_header(accept_language):
        if quality > 0 and re.fullmatch(LANGUAGE_TAG_PATTERN, tag):
            return _cased(tag)
    return ""


def _cased(tag: str) -> str:
    """`tag` in the conventional case (RFC 5646, 2.1.1): Django's parser
    lowercases the header, and "zh-hant-tw" reads better as "zh-Hant-TW"."""
    primary, *subtags = tag.split("-")
    cased = [subtag.title() if len(subtag) == 4 else subtag.upper() if len(subtag) == 2 else subtag for subtag in subtags]
    return "-".join([primary.lower(), *cased])
