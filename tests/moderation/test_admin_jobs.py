"""Failed jobs in the admin, and retrying one."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recipes_api.moderation.models import AuditEntry
from recipes_api.photos import services
from recipes_api.photos.models import Job

JOBS = "/admin/photos/job/"


@pytest.fixture
def failed_job(alice, picture, media_root):
    job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("d.jpg", picture("JPEG")))
    services.job_fail(job=services.job_claim(job_id=job.id), code="generation_incomplete")
    return Job.objects.get(id=job.id)


def test_it_shows_failures_with_their_code(moderator, failed_job):
    client = Client()
    client.force_login(moderator)

    html = client.get(f"{JOBS}?status__exact=failed").content.decode()

    assert "generation_incomplete" in html


def test_a_moderator_retries_a_failed_job(moderator, failed_job, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(moderator)

    with mock.patch("recipes_api.moderation.jobs.job_send") as send, django_capture_on_commit_callbacks(execute=True):
        r = client.post(JOBS, {"action": "retry", "_selected_action": [str(failed_job.pk)]})

    assert r.status_code == 302
    job = Job.objects.get(id=failed_job.id)
    assert (job.status, job.attempts, job.error_code) == ("queued", 0, "")
    send.assert_called_once_with(job_id=job.id)
    assert AuditEntry.objects.get().action == "retry_job"


def test_a_retried_job_runs_again(moderator, failed_job):
    from recipes_api.moderation.jobs import job_retry

    assert job_retry(job=failed_job, actor=moderator)

    assert services.job_claim(job_id=failed_job.id).attempts == 1


def test_staff_without_moderate_cannot_retry(onlooker, failed_job):
    client = Client()
    client.force_login(onlooker)

    client.post(JOBS, {"action": "retry", "_selected_action": [str(failed_job.pk)]})

    assert Job.objects.get(id=failed_job.id).status == "failed"
