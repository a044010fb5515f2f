"""ETags for an offline-first phone: `If-None-Match` on the library's
reads (304 when nothing changed), `If-Match` on an edit (412 when the
recipe changed since it was read).

A recipe's ETag is `"<version>.<digest>"`: its version, bumped by every
write a client can see, and a digest of what else shapes the answer (the
recipe's id and cover, the query string: `servings`, `units`, `include`).
A list page's ETag digests each recipe's (id, version, cover), the page
links and tombstones. The signed photo URLs inside an answer are not part
of it: they expire on their own (`expires_at`), and a 304 does not renew
them; read without `If-None-Match` for fresh ones.
"""

import hashlib
import json

from django.utils.http import parse_etags, quote_etag


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:20]


def recipe_etag(recipe, *, query: dict) -> str:
    return quote_etag(f"{recipe.version}.{_digest(str(recipe.pk), str(recipe.photo_id), sorted(query.items()))}")


def page_etag(rows: list[dict], *, links: dict, deleted: list, query: dict) -> str:
    """`rows`: the page as `selectors.recipe_list` reads it."""
    items = [(str(row["id"]), row["version"], str(row["photo_id"])) for row in rows]
    return quote_etag(_digest(items, links, deleted, sorted(query.items())))


def none_match(request, etag: str) -> bool:
    """False when the client's `If-None-Match` already names `etag`: 304."""
    header = request.headers.get("If-None-Match")
    if not header:
        return True
    tags = parse_etags(header)
    return not ("*" in tags or etag in tags or etag in [t.removeprefix("W/") for t in tags])


def expected_version(request) -> int | None:
    """The recipe version an `If-Match` names (the number before the dot of
    one of our ETags); None without the header or for `*`. An If-Match that
    names no version of ours expects one that does not exist: -1."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    tags = parse_etags(header)
    if "*" in tags:
        return None
    for tag in tags:
        number = tag.strip('"').split(".")[0]
        if number.isdigit():
            return int(number)
    return -1
