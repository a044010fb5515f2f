from collections.abc import Sequence
from uuid import UUID

from django.db.models import QuerySet

from recipes_api import errors
from recipes_api.photos.models import Job, Photo


def job_list(*, owner) -> QuerySet[Job]:
    return (
        Job.objects.filter(owner=owner)
        .select_related("photo")
        .prefetch_related("photo_links__photo")
        .order_by("-created_at")
    )


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


def job_photo_ids(job: Job) -> list[UUID]:
    """The ids of the job's photos, in the order the model reads them (uses
    a prefetched `photo_links` when there is one)."""
    ids = [link.photo_id for link in job.photo_links.all()]
    return ids or [job.photo_id]  # a job made without links has its cover only


def job_photos(job: Job) -> list[Photo]:
    """The job's photos, in the order the model reads them; the first is its cover."""
    photos = [link.photo for link in job.photo_links.all()]  # prefetched by job_list and job_get
    return photos or [job.photo]


def job_latest_on(*, owner, photos: Sequence[Photo], mode: str, language: str) -> Job | None:
    """The owner's newest job, whatever its status, that reads exactly these
    photos in this order with this mode and language; None if there is none."""
    wanted = [photo.id for photo in photos]
    candidates = (
        Job.objects.filter(owner=owner, photo_id=wanted[0], mode=mode, language=language)
        .order_by("-created_at")
        .prefetch_related("photo_links")
    )
    return next((job for job in candidates if job_photo_ids(job) == wanted), None)
