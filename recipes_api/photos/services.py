"""Writes for photos and jobs: accepting an upload, and the job life cycle
the worker drives (claim, stage, succeed, fail).

A job moves queued -> running -> succeeded | failed. Every transition is a
conditional write on the current status, so two workers, a sweep and a late
retry can race and at most one of them wins.
"""

from datetime import timedelta
from typing import IO
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from vision import schema
from worker.dispatch import job_dispatch

from recipes_api.photos.images import image_normalize
from recipes_api.photos.models import Job, Photo
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.services import recipe_create

JOB_LEASE_SECONDS = 900
ERROR_MESSAGE_MAX = 2000
# What finishing a job writes, and so what the caller's copy must be told.
FINISH_FIELDS = [
    "status", "stage", "recipe", "finished_at", "lease_expires_at", "error_code", "error_message", "updated_at",
]


def photo_accept(*, owner, upload: IO[bytes], mode: str = Job.Mode.AUTO, language: str = "") -> Job:
    """Store an uploaded photo and queue a job to read a recipe from it.

    The upload is checked and normalised first (see `image_normalize`, whose
    DomainErrors pass through). The photo and its queued job are saved in one
    transaction and the worker is rung only once it commits; if the broker is
    down the job simply stays queued. On any failure nothing is left behind,
    neither rows nor the stored file (call it outside an outer transaction,
    whose later rollback this cannot see).
    """
    mode = Job.Mode(mode)
    image = image_normalize(upload, max_bytes=settings.PHOTO_MAX_BYTES, max_pixels=settings.PHOTO_MAX_PIXELS)
    photo = Photo(
        owner=owner, width=image.width, height=image.height, bytes=len(image.content), sha256=image.sha256
    )
    # The file is written before the transaction opens, so the (SQLite) write
    # lock is not held during file I/O; the except clause undoes it.
    photo.image.save("photo.jpg", ContentFile(image.content), save=False)
    try:
        with transaction.atomic():
            photo.save(force_insert=True)
            job = Job.objects.create(owner=owner, photo=photo, mode=mode, language=language)
            transaction.on_commit(lambda: job_dispatch(job.id))
    except BaseException:
        photo.image.storage.delete(photo.image.name)
        raise
    return job


def photo_read(*, photo: Photo) -> bytes:
    """The stored photo: an upright RGB JPEG without metadata."""
    with photo.image.storage.open(photo.image.name, "rb") as file:
        return file.read()


def job_claim(*, job_id: UUID | str, lease_seconds: int = JOB_LEASE_SECONDS) -> Job | None:
    """Take a job for this worker: queued -> running, with a lease.

    A running job whose lease has run out (its worker died) can be claimed
    again. Returns the job with its photo and owner loaded, or None when there
    is nothing to claim: unknown id, another worker holds a live lease, or the
    job has finished.
    """
    try:
        job_id = UUID(str(job_id))
    except ValueError:
        return None
    now = timezone.now()
    lease_over = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    claimable = Q(status=Job.Status.QUEUED) | (Q(status=Job.Status.RUNNING) & lease_over)
    claimed = Job.objects.filter(claimable, id=job_id).update(
        status=Job.Status.RUNNING,
        stage=Job.Stage.LOADING,
        attempts=F("attempts") + 1,
        started_at=now,
        lease_expires_at=now + timedelta(seconds=lease_seconds),
        updated_at=now,
    )
    if not claimed:
        return None
    return Job.objects.select_related("photo", "owner").get(id=job_id)


def job_stage_set(*, job: Job, stage: str, lease_seconds: int = JOB_LEASE_SECONDS) -> None:
    """Record how far a running job has got, and extend its lease.

    Precondition: the caller claimed the job. A job that is no longer running
    (it failed or finished meanwhile) is left as it is. Raises ValueError for
    a stage that `Job.Stage` does not name.
    """
    stage = Job.Stage(stage)
    now = timezone.now()
    lease_expires_at = now + timedelta(seconds=lease_seconds)
    updated = Job.objects.filter(id=job.id, status=Job.Status.RUNNING).update(
        stage=stage, lease_expires_at=lease_expires_at, updated_at=now
    )
    if updated:
        job.stage, job.lease_expires_at, job.updated_at = stage, lease_expires_at, now


def job_succeed(*, job: Job, recipe: schema.Recipe, model_id: str) -> Recipe | None:
    """Save the recipe a running job produced and mark the job succeeded.

    Both happen in one transaction, under a lock on the job row, and only if
    the job is still running: a job that failed or was finished by another
    worker meanwhile is left alone and None is returned. Otherwise returns the
    saved `recipes.Recipe`, owned by the job's owner and linked to its photo.
    """
    with transaction.atomic():
        locked = (
            Job.objects.select_for_update(of=("self",))
            .select_related("owner", "photo")
            .filter(id=job.id, status=Job.Status.RUNNING)
            .first()
        )
        if locked is None:
            return None
        saved = recipe_create(owner=locked.owner, photo=locked.photo, recipe=recipe, model_id=model_id)
        _finish(locked, Job.Status.SUCCEEDED, recipe=saved)
    _copy_state(locked, into=job)
    return saved


def job_fail(*, job: Job, code: str, message: str) -> None:
    """Mark a job failed with a machine-readable `code` and a human `message`.

    A job that has already finished is left as it is. The message is shown to
    the job's owner: pass something meant for a user, never a traceback.
    """
    with transaction.atomic():
        locked = (
            Job.objects.select_for_update()
            .filter(id=job.id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .first()
        )
        if locked is None:
            return
        locked.error_code = code[:64]
        locked.error_message = message[:ERROR_MESSAGE_MAX]
        _finish(locked, Job.Status.FAILED)
    _copy_state(locked, into=job)


def _finish(job: Job, status: str, *, recipe: Recipe | None = None) -> None:
    """Precondition: the caller holds the job's row lock inside a transaction."""
    job.status = status
    job.stage = Job.Stage.DONE
    job.recipe = recipe
    job.finished_at = timezone.now()
    job.lease_expires_at = None
    job.save(update_fields=FINISH_FIELDS)


def _copy_state(source: Job, *, into: Job) -> None:
    """Let the caller's instance see what was written through the locked copy."""
    for field in FINISH_FIELDS:
        setattr(into, field, getattr(source, field))
