from django.urls import path

from recipes_api.photos.api import JobDetailApi, JobEventsApi, JobListApi, PhotoUploadApi

urlpatterns = [
    path("photos/", PhotoUploadApi.as_view(), name="photo-upload"),
    path("jobs/", JobListApi.as_view(), name="job-list"),
    path("jobs/<uuid:job_id>/", JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/events/", JobEventsApi.as_view(), name="job-events"),
]
