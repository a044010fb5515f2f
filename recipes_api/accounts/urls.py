from django.urls import path

from recipes_api.accounts.api import RegisterApi, TokenObtainApi, TokenRefreshApi

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="register"),
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
]
