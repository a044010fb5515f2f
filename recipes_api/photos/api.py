from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes_api import errors
from recipes_api.photos.events import job_event_stream
from recipes_api.moderation.bans import refuse_if_banned
from recipes_api.openapi import ErrorSerializer
from recipes_api.photos.files import photo_file_open
from recipes_api.photos.idempotency import idempotency_key_clean
from recipes_api.photos.images import UploadSizeLimit, photo_too_large
from recipes_api.photos.languages import language_requested
from recipes_api.photos.selectors import job_get, job_list, photo_get
from recipes_api.photos.serializers import JobSerializer, PhotoSerializer, PhotoUploadSerializer
from recipes_api.photos.services import photo_delete, photos_accept, too_many_photos


UPLOAD_DESCRIPTION = """Send 1 to PHOTO_MAX_PER_JOB (default 4) `image` parts: one recipe is read
from all of them, in order. More are refused with 400 `too_many_photos`, and
one bad image refuses the whole upload.

202: a new job. 200: you sent these photos before (the same pictures, in the
same order, with the same `mode` and `language`): their latest job, whatever
its status, and no new model run. Send `reprocess=true` for a new job on them.

`Idempotency-Key` (at most 255 printable ASCII characters, remembered for
IDEMPOTENCY_KEY_TTL, default 24 h): a retry with the same key and the same
request (the same image bytes in order, `mode`, `language`, `reprocess`) gets
the first answer's status and job again; the same key with another request is
422 `idempotency_key_reused`. A refused upload does not use up its key."""


class PhotoUploadApi(APIView):
    parser_classes = [MultiPartParser]
    throttle_scope = "upload"  # per user

    @extend_schema(
        summary="Upload the photos of one recipe",
        description=UPLOAD_DESCRIPTION,
        request=PhotoUploadSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Makes a retry safe: the same key and request get the first answer again.",
            )
        ],
        responses={
            202: OpenApiResponse(JobSerializer, description="A new job reads the photos."),
            200: OpenApiResponse(JobSerializer, description="These photos' latest job, or a retry's first answer."),
            400: OpenApiResponse(ErrorSerializer, description="Malformed: no image, too many, a bad key or field."),
            403: OpenApiResponse(ErrorSerializer, description="`user_banned`: a banned user cannot upload."),
            413: OpenApiResponse(ErrorSerializer, description="A photo is too large, in bytes or pixels."),
            415: OpenApiResponse(ErrorSerializer, description="Not an accepted image type."),
            422: OpenApiResponse(
                ErrorSerializer, description="An image we will not process, or a reused Idempotency-Key."
            ),
            429: OpenApiResponse(ErrorSerializer, description="Too many uploads, or too many jobs in flight."),
        },
    )
    def post(self, request):
        refuse_if_banned(request.user)  # 403 user_banned
        _check_body(request)
        idempotency_key = idempotency_key_clean(request.headers.get("Idempotency-Key"))
        # Must run before request.data is first read; DRF hands this list
        # straight through to Django's request.
        request.upload_handlers.insert(
            0, PhotosSizeLimit(request, max_bytes=settings.PHOTO_MAX_BYTES, max_files=settings.PHOTO_MAX_PER_JOB)
        )
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accepted = photos_accept(
            owner=request.user,
            uploads=serializer.validated_data["image"],
            mode=serializer.validated_data["mode"],
            language=language_requested(
                field=serializer.validated_data["language"], accept_language=request.headers.get("Accept-Language", "")
            ),
            reprocess=serializer.validated_data["reprocess"],
            idempotency_key=idempotency_key,
        )
        location = request.build_absolute_uri(reverse("job-detail", args=[accepted.job.id]))
        return Response(
            JobSerializer(accepted.job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED if accepted.created else status.HTTP_200_OK,
            headers={"Location": location},
        )


class PhotosSizeLimit(UploadSizeLimit):
    """`UploadSizeLimit` for an upload of up to `max_files` images: each
    image may have `max_bytes`, and one image part past `max_files` stops
    the body while it streams."""

    def __init__(self, request=None, *, max_bytes: int, max_files: int):
        super().__init__(request, max_bytes=max_bytes)
        self.max_files = max_files
        self.files = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_bytes * self.max_files + self.FORM_ALLOWANCE:
            raise photo_too_large(self.max_bytes)

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.files += 1
        if self.files > self.max_files:
            raise too_many_photos()


def _check_body(request) -> None:
    """Refuse, before the body is read, what cannot carry a photo."""
    if not request.content_type.startswith("multipart/form-data"):
        raise errors.Invalid("Send the photo as multipart/form-data.", code="not_multipart")
    # Without a length (a chunked body) Django reads the body as empty; say
    # so rather than answer that the image is missing.
    if not request.META.get("CONTENT_LENGTH"):
        raise errors.LengthRequired("Send the photo with a Content-Length header; chunked uploads are not supported.")


class PhotoDetailApi(generics.RetrieveDestroyAPIView):
    serializer_class = PhotoSerializer

    def get_object(self):
        return photo_get(owner=self.request.user, photo_id=self.kwargs["photo_id"])

    def perform_destroy(self, instance):
        photo_delete(photo=instance)


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


class PhotoFileApi(APIView):
    """A photo's image or thumbnail, for the signed URL in its photo object."""

    # The signature is the capability: an <img src> sends no Authorization
    # header, so none is asked for (and one sent is ignored).
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ErrorsAsJson  # an <img> accepts image/*, and still gets JSON errors

    @extend_schema(exclude=True)  # clients follow the URLs in photo objects; they never build one
    def get(self, request, photo_id, variant):
        served = photo_file_open(photo_id=photo_id, variant=variant, signature=request.query_params.get("sig", ""))
        return FileResponse(
            served.file,
            content_type=served.content_type,
            headers={
                # Private: a shared cache must not hand one user's photo to another.
                "Cache-Control": f"private, max-age={served.seconds_left}",
                "X-Content-Type-Options": "nosniff",
            },
        )


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
