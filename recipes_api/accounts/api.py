from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from recipes_api.accounts.authentication import RefreshExpired
from recipes_api.accounts.exports import account_export
from recipes_api.accounts.serializers import PasswordConfirmSerializer, RegisterSerializer, UserSerializer
from recipes_api.accounts.services import user_delete, user_register


class RegisterApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    # JSON only: one content type per body keeps generated clients simple.
    parser_classes = [JSONParser]
    throttle_scope = "register"  # per client IP
    error_statuses = {409}  # the username is taken

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(TokenObtainPairView):
    """simplejwt's token pair, throttled per client IP against password guessing."""

    parser_classes = [JSONParser]
    throttle_scope = "token"
    error_statuses = {401}  # a wrong username or password


class TokenRefreshApi(TokenRefreshView):
    """simplejwt's refresh, counted with token obtain per client IP. An
    expired refresh token is `refresh_expired` (sign in again), not the
    `token_not_valid` of a forged or revoked one."""

    parser_classes = [JSONParser]
    throttle_scope = "token"
    error_statuses = {401}

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ExpiredTokenError as error:
            raise RefreshExpired() from error
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class MeApi(APIView):
    parser_classes = [JSONParser]
    delete_has_body = True  # the password confirms an erasure (see recipes_api/openapi.py)

    @extend_schema(responses={200: UserSerializer})
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        summary="Delete my account and all its data",
        request=PasswordConfirmSerializer,
        responses={204: None},
    )
    def delete(self, request):
        serializer = PasswordConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_delete(user=request.user, password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportApi(APIView):
    @extend_schema(
        summary="Download all my data",
        description="A zip: account.json, photos.json, jobs.json, recipes.json and the photo files under photos/.",
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request):
        filename = f"platepilot-{request.user.username}.zip"
        return FileResponse(account_export(user=request.user), as_attachment=True, filename=filename)
