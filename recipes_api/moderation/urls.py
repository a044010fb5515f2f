from django.urls import path

from recipes_api.moderation.api import ReportApi

urlpatterns = [
    path("reports/", ReportApi.as_view(), name="report-create"),
]
