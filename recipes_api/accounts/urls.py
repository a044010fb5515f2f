from django.urls import path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from recipes_api.accounts.api import RegisterApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="register"),
    path("auth/token/", TokenObtainPairView.as_view(), name="token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
]
