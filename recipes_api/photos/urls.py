from django.urls import path

from recipes_api.photos.api import (
    JobDetailApi,
    JobEventsApi,
    JobListApi,
    PhotoDetailApi,
    PhotoFileApi,
    PhotoUploadApi,
)

urlpatterns = [
    path("photos/", PhotoUploadApi.as_view(), name="photo-upload"),
    path("photos/<id:photo_id>/", PhotoDetailApi.as_view(), name="photo-detail"),
    # Signed, no token: see recipes_api/photos/files.py.
    path("photos/<id:photo_id>/<str:variant>/", PhotoFileApi.as_view(), name="photo-file"),
    path("jobs/", JobListApi.as_view(), name="job-list"),
    path("jobs/<id:job_id>/", JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<id:job_id>/events/", JobEventsApi.as_view(), name="job-events"),
]
