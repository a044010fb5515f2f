from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from recipes_api.accounts.serializers import RegisterSerializer, UserSerializer
from recipes_api.accounts.services import user_register


class RegisterApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "register"  # per client IP

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(TokenObtainPairView):
    """simplejwt's token pair, throttled per client IP against password guessing."""

    throttle_scope = "token"


class TokenRefreshApi(TokenRefreshView):
    """simplejwt's refresh, counted with token obtain per client IP."""

    throttle_scope = "token"
