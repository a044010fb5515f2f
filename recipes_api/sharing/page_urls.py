"""The public share pages, outside /api/: HTML for people and scrapers."""

from django.urls import path

from recipes_api.sharing.views import share_page, share_photo, share_report

urlpatterns = [
    path("r/<str:token>/", share_page, name="share-page"),
    path("r/<str:token>/photo/<str:variant>/", share_photo, name="share-photo"),
    path("r/<str:token>/report/", share_report, name="share-report"),
]
