"""One error type for domain failures, and one way to render any error.

Every failure a client can see has the same body:
`{"error": {"code": ..., "message": ..., "details": ...}}`. Services raise
`DomainError` (or one of its kinds below); DRF's own exceptions, Django's 404
and oversized bodies are translated here; anything unexpected becomes a
generic 500 whose traceback goes to the log, never to the client.
"""

import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A failure the client caused or must know about, with its HTTP status."""

    status = 400
    code = "invalid"
    message = "The request is not valid."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        status: int | None = None,
        retry_after: int | None = None,
    ):
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        self.status = status or self.status
        self.retry_after = retry_after
        super().__init__(self.message)


class Invalid(DomainError):
    pass


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class Gone(DomainError):
    status = 410
    code = "gone"
    message = "This is no longer available."


class PreconditionFailed(DomainError):
    """An `If-Match` that no longer matches: the object changed since the
    client read it."""

    status = 412
    code = "precondition_failed"
    message = "The recipe has changed since you read it. Fetch it again and redo your edit."


class LengthRequired(DomainError):
    status = 411
    code = "length_required"
    message = "Send the request with a Content-Length header."


class PayloadTooLarge(DomainError):
    status = 413
    code = "request_too_large"
    message = "The request body is too large."


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    message = "This media type is not supported."


class Unprocessable(DomainError):
    """Well-formed and of a supported type, but not something we will process."""

    status = 422
    code = "unprocessable"
    message = "The request is well-formed but cannot be processed."


class TooManyJobs(DomainError):
    """The owner has as many jobs queued or running as they may."""

    status = 429
    code = "too_many_jobs"
    message = "Too many photos are being read for you right now."


class InternalError(DomainError):
    status = 500
    code = "internal_error"
    message = "Something went wrong on our side. Please try again later."


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: render any exception in the one error shape."""
    error = domain_error(exc)
    if error.status >= 500 and not isinstance(exc, DomainError):  # a DomainError was raised on purpose
        view = context.get("view")
        logger.error("unhandled error in %s", type(view).__name__, exc_info=exc)
    set_rollback()
    return Response(
        error_body(error.code, error.message, error.details),
        status=error.status,
        headers=_headers(exc),
    )


def domain_error(exc: Exception) -> DomainError:
    """Translate any exception into the DomainError the client will see."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, exceptions.APIException):
        return _from_api_exception(exc)
    if isinstance(exc, Http404):
        return NotFound()
    if isinstance(exc, PermissionDenied):
        return _from_api_exception(exceptions.PermissionDenied())
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        return PayloadTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return Invalid("The request could not be processed.", code="bad_request")
    return InternalError()


def _from_api_exception(exc: exceptions.APIException) -> DomainError:
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Invalid(details=details)
    detail = exc.detail
    if isinstance(detail, dict):
        # simplejwt's errors carry {"detail", "code", "messages"}.
        code, message = detail.get("code", exc.default_code), detail.get("detail", exc.default_detail)
    else:
        code, message = getattr(detail, "code", None) or exc.default_code, detail
    details = {"retry_after": exc.wait} if isinstance(exc, exceptions.Throttled) else None
    return DomainError(str(message), code=str(code), details=details, status=exc.status_code)


def _headers(exc: Exception) -> dict[str, str]:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    retry_after = getattr(exc, "wait", None) or getattr(exc, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = "%d" % retry_after
    return headers


# --- plain Django handlers (handler404, handler500 in urls.py) ---------------


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    error = NotFound()
    return JsonResponse(error_body(error.code, error.message), status=error.status)


def server_error(request):
    if not _is_api(request):
        return defaults.server_error(request)
    error = InternalError()
    return JsonResponse(error_body(error.code, error.message), status=error.status)


def bad_request(request, exception):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    error = domain_error(exception)
    return JsonResponse(error_body(error.code, error.message), status=error.status)
