from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes_api.moderation.serializers import ReportCreateSerializer, ReportSerializer
from recipes_api.moderation.services import report_file
from recipes_api.sharing.selectors import share_public


class ReportApi(APIView):
    throttle_scope = "report"  # per user

    @extend_schema(
        summary="Report a shared recipe to the moderators",
        description="A second report of the same recipe by the same user replaces the first (200).",
        request=ReportCreateSerializer,
        responses={
            201: OpenApiResponse(ReportSerializer, description="Reported."),
            200: OpenApiResponse(ReportSerializer, description="You had reported it before: your report is updated."),
        },
    )
    def post(self, request):
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        share = share_public(token=data["share"])
        report, created = report_file(
            item=share.recipe.moderation,
            reason=data["reason"],
            note=data["note"],
            reporter=request.user,
            reporter_key=str(request.user.pk),
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
