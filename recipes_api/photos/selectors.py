from uuid import UUID

from django.db.models import QuerySet

from recipes_api import errors
from recipes_api.photos.models import Job


def job_list(*, owner) -> QuerySet[Job]:
    return Job.objects.filter(owner=owner).order_by("-created_at")


def job_get(*, owner, job_id: UUID) -> Job:
    """Another user's job is "not found", never "forbidden": ids leak nothing."""
    job = job_list(owner=owner).filter(id=job_id).first()
    if job is None:
        raise errors.NotFound("No such job.")
    return job
