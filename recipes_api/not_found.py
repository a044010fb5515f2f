"""What an /api/ path that no route matches answers (Django's `handler404`).

A malformed id (`/api/v1/jobs/not-a-uuid/`) fails the `<uuid:...>`
converter, so no view runs: no authentication, and Django's own 404. A
client must not learn anything from an id's shape, so such a path is handed
to the view it was meant for, with the malformed id replaced by the nil UUID,
which no object has (ids are uuid4). That view then answers exactly as for an
unknown id: 401 to an anonymous client, its own 404 (or 405) otherwise.
Routes are found by walking the URL resolver, so every `<uuid:...>` route,
present or future, is covered with no edit to it.

Any other /api/ path gets the standard error shape, in DRF's bytes; paths
outside the API keep Django's HTML pages.
"""

import functools
import re
import uuid
from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import UUIDConverter
from django.views import defaults
from rest_framework.renderers import JSONRenderer

from recipes_api.errors import NotFound, error_body

NO_SUCH_ID = uuid.UUID(int=0)


@dataclass(frozen=True)
class _Route:
    regex: re.Pattern
    callback: object
    converters: dict


def page_not_found(request, exception):
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    response = _answer_as_unknown_id(request)
    if response is None:
        error = NotFound()
        body = JSONRenderer().render(error_body(error.code, error.message))
        response = HttpResponse(body, status=error.status, content_type="application/json")
    return response


def _answer_as_unknown_id(request):
    path = request.path_info.lstrip("/")
    for route in _uuid_routes():
        match = route.regex.fullmatch(path)
        if match is None:
            continue
        try:
            kwargs = {name: _to_python(route.converters[name], value) for name, value in match.groupdict().items()}
        except ValueError:  # another converter refused its segment: not this route
            continue
        response = route.callback(request, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response = response.render()
        return response
    return None


def _to_python(converter, value):
    if isinstance(converter, UUIDConverter):
        try:
            return converter.to_python(value)
        except ValueError:
            return NO_SUCH_ID
    return converter.to_python(value)


@functools.cache
def _uuid_routes() -> list[_Route]:
    """Every route with a `<uuid:...>` segment, in resolution order, with
    those segments relaxed to any non-empty segment."""
    return [
        _Route(re.compile(regex.replace(UUIDConverter.regex, "[^/]+")), pattern.callback, converters)
        for regex, pattern, converters in _walk(get_resolver(), "", {})
        if any(isinstance(converter, UUIDConverter) for converter in converters.values())
    ]


def _walk(resolver: URLResolver, prefix: str, converters: dict):
    for entry in resolver.url_patterns:
        regex = prefix + _bare(entry.pattern.regex.pattern)
        found = converters | getattr(entry.pattern, "converters", {})
        if isinstance(entry, URLResolver):
            yield from _walk(entry, regex, found)
        elif isinstance(entry, URLPattern):
            yield regex, entry, found


def _bare(regex: str) -> str:
    return regex.removeprefix("^").removesuffix(r"\Z")
