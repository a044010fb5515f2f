"""The OpenAPI schema as the phone team's generated client needs it: every
error an operation can answer, each in the one error shape.

drf-spectacular documents success answers from the views; the errors are
derived here from what every view shares (authentication, ids in the path,
throttles, request bodies), plus the statuses a view lists in
`error_statuses` for what is particular to it.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR_DESCRIPTIONS = {
    400: "The request is malformed or fails validation.",
    401: "Missing, invalid or expired credentials (`token_expired`: refresh the access token).",
    403: "Refused for this account (`user_banned`).",
    404: "No such object, or not yours.",
    409: "The request conflicts with the current state.",
    410: "Gone: `sync_expired`, `updated_since` is older than the deletions kept; sync from scratch.",
    411: "The request has no Content-Length.",
    412: "The object changed since you read it.",
    413: "The request body or image is too large.",
    415: "The media type is not accepted.",
    422: "Well-formed, but cannot be processed.",
    429: "Too many requests; retry after `Retry-After` seconds.",
}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: branch on this.")
    message = serializers.CharField(help_text="For people; may change.")
    details = serializers.JSONField(allow_null=True, help_text="Per-field errors or limits, when there are any.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ErrorsDocumentedSchema(AutoSchema):
    """AutoSchema that adds the error answers (see the module docstring)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in sorted(self._error_statuses()):
            if str(status) not in responses:
                response = self._get_response_for_code(ErrorSerializer, str(status), direction=direction)
                response["description"] = ERROR_DESCRIPTIONS.get(status, "")
                responses[str(status)] = response
        return responses

    def _error_statuses(self) -> set[int]:
        view = self.view
        statuses = set(getattr(view, "error_statuses", ()))
        if self.method in ("POST", "PUT", "PATCH") or self._query_parameters():
            statuses.add(400)
        if not all(isinstance(permission, AllowAny) for permission in view.get_permissions()):
            statuses.add(401)
        if "{" in self.path:
            statuses.add(404)
        if getattr(view, "throttle_scope", None):
            statuses.add(429)
        return statuses

    def _query_parameters(self) -> bool:
        return any(
            parameter.get("in") == "query" for parameter in self._get_parameters() if isinstance(parameter, dict)
        )


class AccessTokenScheme(SimpleJWTScheme):
    """Our bearer authentication is simplejwt's, documented as such."""

    target_class = "recipes_api.accounts.authentication.AccessTokenAuthentication"
