from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes_api import errors
from recipes_api.photos.events import job_event_stream
from recipes_api.photos.images import UploadSizeLimit
from recipes_api.photos.languages import language_requested
from recipes_api.photos.selectors import job_get, job_list
from recipes_api.photos.serializers import JobSerializer, PhotoUploadSerializer
from recipes_api.photos.services import photo_accept


class PhotoUploadApi(APIView):
    parser_classes = [MultiPartParser]
    throttle_scope = "upload"  # per user

    @extend_schema(request=PhotoUploadSerializer, responses={202: JobSerializer})
    def post(self, request):
        _check_body(request)
        # Must run before request.data is first read; DRF hands this list
        # straight through to Django's request.
        request.upload_handlers.insert(0, UploadSizeLimit(request, max_bytes=settings.PHOTO_MAX_BYTES))
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = photo_accept(
            owner=request.user,
            upload=serializer.validated_data["image"],
            mode=serializer.validated_data["mode"],
            language=language_requested(
                field=serializer.validated_data["language"], accept_language=request.headers.get("Accept-Language", "")
            ),
        )
        location = request.build_absolute_uri(reverse("job-detail", args=[job.id]))
        return Response(
            JobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


def _check_body(request) -> None:
    """Refuse, before the body is read, what cannot carry a photo."""
    if not request.content_type.startswith("multipart/form-data"):
        raise errors.Invalid("Send the photo as multipart/form-data.", code="not_multipart")
    # Without a length (a chunked body) Django reads the body as empty; say
    # so rather than answer that the image is missing.
    if not request.META.get("CONTENT_LENGTH"):
        raise errors.LengthRequired("Send the photo with a Content-Length header; chunked uploads are not supported.")


class JobListApi(generics.ListAPIView):
    serializer_class = JobSerializer

    def get_queryset(self):
        return job_list(owner=self.request.user)


class JobDetailApi(generics.RetrieveAPIView):
    serializer_class = JobSerializer

    def get_object(self):
        return job_get(owner=self.request.user, job_id=self.kwargs["job_id"])


class ErrorsAsJson(BaseContentNegotiation):
    """Whatever the client accepts, errors are JSON: a stream's client sends
    `Accept: text/event-stream`, and must get the error shape, not a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


EVENTS_DESCRIPTION = """Sends the job's state at once, then an event whenever it changes:
`state` (status, stage or attempt), `progress` (tokens generated so far) and
`done` (succeeded or failed, with the recipe id or the error), after which the
stream ends. Each event's `data` is JSON with `status`, `stage`, `attempts`,
`tokens`, `recipe` and `error`, as on the job.

A `: keep-alive` comment fills silences (every 15 s by default), and the
stream ends after 60 s by default with a `retry:` hint (server settings
JOB_EVENTS_HEARTBEAT_SECONDS and JOB_EVENTS_MAX_SECONDS). Reconnect with
`Last-Event-ID`: a state you already have is not sent again.

204: the job has finished and `Last-Event-ID` names its final event; stop.
503: the server has too many streams open; poll the job instead."""

EVENTS_EXAMPLE = """retry: 1000

id: 0.queued.queued.0
event: state
data: {"status":"queued","stage":"queued","attempts":0,"tokens":0,"recipe":null,"error":null}

id: 1.running.generating.120
event: progress
data: {"status":"running","stage":"generating","attempts":1,"tokens":120,"recipe":null,"error":null}

: keep-alive

id: 1.succeeded.done.312
event: done
data: {"status":"succeeded","stage":"done","attempts":1,"tokens":312,"recipe":"5b0c7f5e-3c1d-4a8e-9f62-0d7c4b1e2a93","error":null}
"""


class JobEventsApi(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ErrorsAsJson

    @extend_schema(
        summary="Follow a job's progress as Server-Sent Events",
        description=EVENTS_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "Last-Event-ID", str, OpenApiParameter.HEADER, description="The id of the last event received."
            )
        ],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A stream of Server-Sent Events.",
                examples=[OpenApiExample("A job from queued to done", value=EVENTS_EXAMPLE)],
            ),
            204: OpenApiResponse(description="The job has finished and the client has its final event."),
        },
    )
    def get(self, request, job_id):
        job = job_get(owner=request.user, job_id=job_id)
        stream = job_event_stream(
            job=job,
            last_event_id=request.headers.get("Last-Event-ID", ""),
            client=request.META.get("gunicorn.socket"),
        )
        if stream is None:
            return HttpResponse(status=status.HTTP_204_NO_CONTENT)
        return StreamingHttpResponse(
            stream, content_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )
