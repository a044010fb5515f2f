"""Object ids in paths, and what an /api/ path that no route matches answers.

Every route takes its object id through the `id` converter: any one path
segment, which reaches the view as a UUID, and a malformed one as the nil
UUID, which no object has (ids are uuid4). So `/api/v1/jobs/not-a-uuid/`
answers exactly as an unknown id does: 401 to an anonymous client, the
view's own 404 (or 405) otherwise. A client learns nothing from an id's
shape, and its generated client meets one 404.

Any other /api/ path gets the standard error shape, in the bytes DRF's views
answer with (`handler404`); paths outside the API keep Django's HTML pages.
"""

import uuid

from django.http import HttpResponse
from django.views import defaults
from rest_framework.renderers import JSONRenderer

from recipes_api.errors import NotFound, error_body

NO_SUCH_ID = uuid.UUID(int=0)


class ObjectIdConverter:
    """`<id:name>`: a UUID, or the nil UUID for a segment that is none."""

    regex = "[^/]+"

    def to_python(self, value: str) -> uuid.UUID:
        try:
            return uuid.UUID(value)
        except ValueError:
            return NO_SUCH_ID

    def to_url(self, value) -> str:
        return str(value)


def page_not_found(request, exception):
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    error = NotFound()
    body = JSONRenderer().render(error_body(error.code, error.message))
    return HttpResponse(body, status=error.status, content_type="application/json")
