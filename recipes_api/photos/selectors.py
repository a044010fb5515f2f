from uuid import UUID

from django.db.models import QuerySet

from recipes_api import errors
from recipes_api.photos.models import Job, Photo


def job_list(*, owner) -> QuerySet[Job]:
    return Job.objects.filter(owner=owner).select_related("photo").order_by("-created_at")


def job_get(*, owner, job_id: UUID) -> Job:
    """Another user's job is "not found", never "forbidden": ids leak nothing."""
    job = job_list(owner=owner).filter(id=job_id).first()
    if job is None:
        raise errors.NotFound("No such job.")
    return job


def photo_get(*, owner, photo_id: UUID) -> Photo:
    """Another user's photo is "not found", like every object of theirs."""
    photo = Photo.objects.filter(owner=owner, id=photo_id).first()
    if photo is None:
        raise errors.NotFound("No such photo.")
    return photo
