from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes_api.photos.images import UploadSizeLimit
from recipes_api.photos.selectors import job_get, job_list
from recipes_api.photos.serializers import JobSerializer, PhotoUploadSerializer
from recipes_api.photos.services import photo_accept


class PhotoUploadApi(APIView):
    parser_classes = [MultiPartParser]
    throttle_scope = "upload"  # per user

    @extend_schema(request=PhotoUploadSerializer, responses={202: JobSerializer})
    def post(self, request):
        # Must run before request.data is first read; DRF hands this list
        # straight through to Django's request.
        request.upload_handlers.insert(0, UploadSizeLimit(request, max_bytes=settings.PHOTO_MAX_BYTES))
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = photo_accept(
            owner=request.user,
            upload=serializer.validated_data["image"],
            mode=serializer.validated_data["mode"],
            language=serializer.validated_data["language"],
        )
        location = request.build_absolute_uri(reverse("job-detail", args=[job.id]))
        return Response(
            JobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


class JobListApi(generics.ListAPIView):
    serializer_class = JobSerializer

    def get_queryset(self):
        return job_list(owner=self.request.user)


class JobDetailApi(generics.RetrieveAPIView):
    serializer_class = JobSerializer

    def get_object(self):
        return job_get(owner=self.request.user, job_id=self.kwargs["job_id"])
