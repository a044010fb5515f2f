"""Writes for photos and jobs: accepting an upload, and the job life cycle
the worker drives (claim, heartbeat, stage, succeed, fail, release).

A job moves queued -> running -> succeeded | failed, and back to queued when
its worker lets go of it or its lease runs out. Every transition is a
conditional write on the current state, and every write a worker makes names
its claim token: two workers, a sweep and a late retry can race and at most
one of them wins; a worker that lost its claim changes nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import IO
from uuid import UUID, uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, UUIDField, Value, When
from django.utils import timezone
from vision import schema
from worker.dispatch import job_dispatch

from recipes_api import errors
from recipes_api.accounts.models import User
from recipes_api.moderation.flags import moderation_flag_job
from recipes_api.photos.failures import job_error_message
from recipes_api.photos.idempotency import (
    IdempotentRequest,
    idempotency_key_record,
    idempotent_answer,
    request_fingerprint,
)
from recipes_api.photos.images import ImageRules, NormalizedImage, image_normalize
from recipes_api.photos.models import Job, JobPhoto, Photo
from recipes_api.photos.selectors import job_latest_on, job_photos
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.services import recipe_create, recipe_regenerated

IN_FLIGHT = [Job.Status.QUEUED, Job.Status.RUNNING]
# What finishing a job writes, and so what the caller's copy must be told.
FINISH_FIELDS = [
    "status", "stage", "recipe", "finished_at", "lease_expires_at", "claim",
    "error_code", "error_message", "generate_ms", "tries", "updated_at",
]  # fmt: skip


@dataclass(frozen=True)
class Accepted:
    """What an upload came to: its job, and whether this upload made it (the
    API's 202) or found it (200: the same photos again, or a retried key)."""

    job: Job
    created: bool


def photo_accept(*, owner, upload: IO[bytes], mode: str = Job.Mode.AUTO, language: str = "") -> Job:
    """Store one photo and always queue a new job on it: `photos_accept` with
    one upload and `reprocess`. Returns the new job."""
    return photos_accept(owner=owner, uploads=[upload], mode=mode, language=language, reprocess=True).job


def photos_accept(
    *,
    owner,
    uploads: Sequence[IO[bytes]],
    mode: str = Job.Mode.AUTO,
    language: str = "",
    reprocess: bool = False,
    idempotency_key: str | None = None,
) -> Accepted:
    """Store the photos of one upload and queue one job that reads one recipe
    from all of them, in order; the first is the job's cover (`Job.photo`).

    With an `idempotency_key` the owner used before (see `idempotency`), the
    first answer is returned again and nothing is decoded or stored; used for
    another request, it raises `errors.Unprocessable`. Otherwise each upload
    is checked and normalised (`image_normalize`, whose DomainErrors pass
    through): one bad image refuses them all. A photo the owner already has
    (the same normalised hash) is reused, never stored twice. When every
    photo is already there and the owner has a job on exactly these photos,
    in this order, with this mode and language, the newest such job is the
    answer, whatever its status (failed included), with `created` False:
    unless `reprocess`, which always queues a new job. A new job needs a free
    slot under `JOB_MAX_IN_FLIGHT` (else `errors.TooManyJobs`), is saved in
    one transaction with its photos, and the worker is rung once it commits.

    The owner's row lock serialises one owner's uploads, so two racing
    identical uploads (or retries with one key) make one job; should the
    database's uniqueness still refuse a row, the transaction runs once more
    and finds it. On any failure nothing is left behind, neither rows nor
    stored files (call it outside an outer transaction, whose later rollback
    this cannot see).
    """
    mode = Job.Mode(mode)
    if not 1 <= len(uploads) <= settings.PHOTO_MAX_PER_JOB:
        raise too_many_photos() if uploads else errors.Invalid("Send at least one image.", code="no_image")
    request = None
    if idempotency_key is not None:
        fingerprint = request_fingerprint(uploads=uploads, mode=mode, language=language, reprocess=reprocess)
        request = IdempotentRequest(owner=owner, key=idempotency_key, fingerprint=fingerprint)
        if answered := idempotent_answer(request):
            return Accepted(job=answered.job, created=answered.status == 202)
    if reprocess:
        jobs_in_flight_check(owner)  # cheap early answer; the locked check decides
    rules = ImageRules.from_settings()
    images = [image_normalize(upload, rules) for upload in uploads]
    photos = _photos_found_or_new(owner, images)
    new = list({id(photo): photo for photo in photos if photo._state.adding}.values())
    try:
        # The files are written before the transaction opens, so the (SQLite)
        # write lock is not held during file I/O; the except clause undoes them.
        by_hash = {image.sha256: image for image in images}
        for photo in new:
            _photo_files_save(photo, by_hash[photo.sha256])
        accepted = _accept_committed(
            owner, photos, new, mode=mode, language=language, reprocess=reprocess, request=request
        )
    except BaseException:
        for photo in new:
            _photo_files_delete(photo)
        raise
    for photo in new:
        if photo._state.adding:  # a racing upload stored this picture first
            _photo_files_delete(photo)
    return accepted


def too_many_photos() -> errors.Invalid:
    limit = settings.PHOTO_MAX_PER_JOB
    return errors.Invalid(
        f"Send at most {limit} photos in one upload.", code="too_many_photos", details={"max_photos": limit}
    )


def _photos_found_or_new(owner, images: Sequence[NormalizedImage]) -> list[Photo]:
    """One photo per image, in order: the owner's stored one with its hash, or
    a new unsaved one (the same object for a picture sent twice)."""
    photos = {photo.sha256: photo for photo in Photo.objects.filter(owner=owner, sha256__in=[i.sha256 for i in images])}
    for image in images:
        photos.setdefault(image.sha256, _photo_new(owner, image))
    return [photos[image.sha256] for image in images]


def _photo_new(owner, image: NormalizedImage) -> Photo:
    return Photo(
        owner=owner,
        width=image.width,
        height=image.height,
        bytes=len(image.content),
        sha256=image.sha256,
        blurhash=image.blurhash,
        source_format=image.source_format,
    )


def _accept_committed(owner, photos: list[Photo], new: list[Photo], **accept) -> Accepted:
    """Run `_accept_locked` in its own transaction; once more if a uniqueness
    constraint refused a row that a racing upload had just saved."""
    for attempt in (1, 2):
        for photo in new:
            photo._state.adding = True  # a rolled-back insert saved nothing
        try:
            with transaction.atomic():
                return _accept_locked(owner, photos, **accept)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _accept_locked(owner, photos: list[Photo], *, mode, language, reprocess, request) -> Accepted:
    """Precondition: inside a transaction, the new photos' files stored."""
    User.objects.select_for_update().filter(pk=owner.pk).first()
    if request is not None and (answered := idempotent_answer(request)):
        return Accepted(job=answered.job, created=answered.status == 202)
    photos = _photos_saved(owner, photos)
    job = None if reprocess else job_latest_on(owner=owner, photos=photos, mode=mode, language=language)
    created = job is None
    if created:
        jobs_in_flight_check(owner)
        job = Job.objects.create(owner=owner, photo=photos[0], mode=mode, language=language)
        JobPhoto.objects.bulk_create(
            JobPhoto(job=job, photo=photo, position=position) for position, photo in enumerate(photos)
        )
        transaction.on_commit(lambda: job_send(job_id=job.id))
    if request is not None:
        idempotency_key_record(request, job=job, status=202 if created else 200)
    return Accepted(job=job, created=created)


def _photos_saved(owner, photos: list[Photo]) -> list[Photo]:
    """Save the new photos, or take the rows a racing upload saved first.
    Precondition: the caller holds the owner's row lock."""
    stored = {p.sha256: p for p in Photo.objects.filter(owner=owner, sha256__in=[p.sha256 for p in photos])}
    for photo in photos:
        if photo.sha256 in stored:
            continue
        if not photo._state.adding:
            raise errors.Conflict("A photo was deleted during the upload; send it again.", code="photo_deleted")
        photo.save(force_insert=True)
        stored[photo.sha256] = photo
    return [stored[photo.sha256] for photo in photos]


def _photo_files_save(photo: Photo, image: NormalizedImage) -> None:
    """Precondition: `photo` is not saved yet (save=False leaves the row alone)."""
    photo.image.save("photo.jpg", ContentFile(image.content), save=False)
    photo.thumbnail.save("thumb.webp", ContentFile(image.thumbnail), save=False)
    if settings.PHOTO_KEEP_ORIGINAL:
        photo.original.save("original", ContentFile(image.original), save=False)


def _photo_files_delete(photo: Photo) -> None:
    """Delete whichever of the photo's files were stored; an unset one has no name."""
    for file in (photo.image, photo.thumbnail, photo.original):
        if file.name:
            file.storage.delete(file.name)


def jobs_in_flight_check(owner) -> None:
    """Raise `errors.TooManyJobs` when `owner` has `JOB_MAX_IN_FLIGHT` jobs
    queued or running. Decisive only under the owner's row lock, which every
    job-making service takes (an upload, a regeneration)."""
    limit = settings.JOB_MAX_IN_FLIGHT
    if limit and Job.objects.filter(owner=owner, status__in=IN_FLIGHT).count() >= limit:
        raise errors.TooManyJobs(
            f"You already have {limit} photos being read. Try again when one has finished.",
            retry_after=settings.JOB_IN_FLIGHT_RETRY_AFTER,
            details={"max_in_flight": limit},
        )


def job_send(*, job_id: UUID, countdown: float | None = None) -> bool:
    """Ring the workers for a queued job and record when the broker took it.

    Returns False when the broker is unreachable: the job stays queued with
    no `dispatched_at`, which is what the sweep looks for.
    """
    if not job_dispatch(job_id, countdown=countdown):
        return False
    Job.objects.filter(id=job_id, status=Job.Status.QUEUED).update(dispatched_at=timezone.now())
    return True


def job_unsend(*, job_id: UUID | str) -> None:
    """Forget that a queued job was rung, so that the next sweep rings again:
    for a worker that got the bell but is shutting down."""
    Job.objects.filter(id=job_id, status=Job.Status.QUEUED).update(dispatched_at=None)


def photo_delete(*, photo: Photo) -> None:
    """Delete a photo with its jobs, leaving its recipes without a photo.

    Its files (working copy, thumbnail, original) are removed once the
    transaction commits, never before: a rollback leaves row and files (see
    `files.photo_files_remove_on_commit`, run for every deleted photo). A
    worker running one of its jobs loses its claim and writes nothing more.
    """
    with transaction.atomic():
        photo.delete()


def photo_read(*, photo: Photo) -> bytes:
    """The stored photo: an upright RGB JPEG without metadata."""
    with photo.image.storage.open(photo.image.name, "rb") as file:
        return file.read()


def job_photos_read(*, job: Job) -> list[bytes]:
    """Every stored photo of the job, in the order the model reads them."""
    return [photo_read(photo=photo) for photo in job_photos(job)]


def job_claim(*, job_id: UUID | str, lease_seconds: int | None = None) -> Job | None:
    """Take one job for this worker: `jobs_claim` with a batch of one.

    Returns the job with its photo and owner loaded, or None when there is
    nothing to claim (see `jobs_claim`).
    """
    claimed = jobs_claim(job_id=job_id, limit=1, lease_seconds=lease_seconds)
    return claimed[0] if claimed else None


def jobs_claim(*, job_id: UUID | str, limit: int = 1, lease_seconds: int | None = None) -> list[Job]:
    """Take the job `job_id` names for this worker, and with it up to
    `limit - 1` of the oldest other queued jobs, to run as one batch: each
    queued -> running, with its own lease and its own fresh claim token that
    every later write about that job must name, and one more attempt counted.

    The named job may also be a running one whose lease has run out (its
    worker died). When it cannot be claimed (unknown id, another worker holds
    it, finished), nothing is claimed, since its bell was for work already
    taken; and if it has used its `JOB_MAX_ATTEMPTS` it is failed with
    `attempts_exhausted` instead. The others must be queued with attempts
    left (the sweep fails the exhausted ones).

    Racing workers take disjoint batches: on PostgreSQL the candidate rows
    are locked and rows another claimer holds are skipped (except the named
    job, whose lock is waited for); on SQLite the
    transaction takes the database's write lock at once (IMMEDIATE, see
    settings), so claims run one after another. Returns the claimed jobs,
    the named one first then oldest first, with their photo and owner
    loaded; an empty list when there is nothing to claim.
    """
    try:
        job_id = UUID(str(job_id))
    except ValueError:
        return []
    now = timezone.now()
    claimable = Job.objects.filter(_claimable(now), attempts__lt=settings.JOB_MAX_ATTEMPTS)
    with transaction.atomic():
        # The bell's own job is waited for, not skipped. Locks on it are brief
        # (the API recording that it rang, just after ringing; a sweep taking
        # a bell), and a skipped bell leaves the job for JOB_REDISPATCH_SECONDS.
        # A racing claimer of it finds it taken once the lock is released.
        list(Job.objects.filter(id=job_id).select_for_update().values_list("id", flat=True))
        ids = list(
            claimable.filter(Q(id=job_id) | Q(status=Job.Status.QUEUED))
            .select_for_update(skip_locked=True)
            .order_by(Case(When(id=job_id, then=Value(0)), default=Value(1)), "created_at", "id")
            .values_list("id", flat=True)[: max(1, limit)]
        )
        if job_id not in ids:
            ids = []
        tokens = {id_: uuid4() for id_ in ids}
        if ids:
            claimable.filter(id__in=ids).update(
                status=Job.Status.RUNNING,
                stage=Job.Stage.LOADING,
                claim=Case(*(When(id=id_, then=Value(token)) for id_, token in tokens.items()), output_field=UUIDField()),
                attempts=F("attempts") + 1,
                tokens=0,
                tries=0,
                started_at=now,
                lease_expires_at=now + timedelta(seconds=lease_seconds or settings.JOB_LEASE_SECONDS),
                updated_at=now,
            )
    if not ids:
        jobs_exhaust(job_ids=[job_id])
        return []
    claimed = {job.id: job for job in Job.objects.select_related("photo", "owner").filter(claim__in=tokens.values())}
    return [claimed[id_] for id_ in ids if id_ in claimed]


def _claimable(now) -> Q:
    lease_over = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    return Q(status=Job.Status.QUEUED) | (Q(status=Job.Status.RUNNING) & lease_over)


def jobs_exhaust(*, job_ids: list[UUID] | None = None) -> int:
    """Fail every claimable job that has used all its attempts (or just those
    among `job_ids`) with `attempts_exhausted`. Returns how many were failed."""
    now = timezone.now()
    exhausted = Job.objects.filter(_claimable(now), attempts__gte=settings.JOB_MAX_ATTEMPTS)
    if job_ids is not None:
        exhausted = exhausted.filter(id__in=job_ids)
    return exhausted.update(
        status=Job.Status.FAILED,
        stage=Job.Stage.DONE,
        claim=None,
        lease_expires_at=None,
        error_code="attempts_exhausted",
        error_message=job_error_message("attempts_exhausted"),
        finished_at=now,
        updated_at=now,
    )


def _held(job: Job):
    """The job's row, as long as `job`'s claim still holds it."""
    return Job.objects.filter(id=job.id, status=Job.Status.RUNNING, claim=job.claim)


def job_heartbeat(*, job: Job, tokens: int | None = None) -> bool:
    """Renew the lease of a job this worker runs, and record its progress.

    Returns False when the claim no longer holds (the lease ran out and the
    job was requeued, or it finished): the caller must then stop working on it.
    """
    now = timezone.now()
    changes = {"lease_expires_at": now + timedelta(seconds=settings.JOB_LEASE_SECONDS), "updated_at": now}
    if tokens is not None:
        changes["tokens"] = tokens
    return bool(_held(job).update(**changes))


def job_stage_set(*, job: Job, stage: str) -> bool:
    """Record how far a claimed job has got, and renew its lease.

    Returns False, writing nothing, when the claim no longer holds. Raises
    ValueError for a stage that `Job.Stage` does not name.
    """
    stage = Job.Stage(stage)
    now = timezone.now()
    lease_expires_at = now + timedelta(seconds=settings.JOB_LEASE_SECONDS)
    if not _held(job).update(stage=stage, lease_expires_at=lease_expires_at, updated_at=now):
        return False
    job.stage, job.lease_expires_at, job.updated_at = stage, lease_expires_at, now
    return True


def job_succeed(
    *, job: Job, recipe: schema.Recipe, model_id: str, generate_ms: int | None = None, tries: int = 1
) -> Recipe | None:
    """Save the recipe a claimed job produced and mark the job succeeded,
    recording the `tries` (generations) it took.

    Both happen in one transaction, under a lock on the job row, and only
    while `job`'s claim holds: otherwise nothing is written and None is
    returned. Otherwise returns the saved `recipes.Recipe`, owned by the job's
    owner and linked to its job and to all its photos, in order (the cover
    as `Recipe.photo`). A regeneration (`Job.regenerates`) updates that
    recipe instead (`recipe_regenerated`) and returns it.
    """
    with transaction.atomic():
        locked = _held(job).select_for_update(of=("self",)).select_related("owner", "photo").first()
        if locked is None:
            return None
        if locked.regenerates_id is not None:
            saved = recipe_regenerated(recipe_id=locked.regenerates_id, recipe=recipe, model_id=model_id)
        else:
            saved = recipe_create(
                owner=locked.owner,
                photo=locked.photo,
                photos=job_photos(locked),
                job=locked,
                recipe=recipe,
                model_id=model_id,
            )
        locked.generate_ms = generate_ms
        locked.tries = tries
        _finish(locked, Job.Status.SUCCEEDED, recipe=saved)
        moderation_flag_job(job=locked, recipe=saved)  # the moderation queue's auto-flags
    _copy_state(locked, into=job)
    return saved


def job_fail(*, job: Job, code: str, tries: int | None = None) -> bool:
    """Mark a job failed with a stable `code` and the fixed message meant for
    people that `failures.job_error_message` gives for it, and with the
    `tries` (generations) run, when given.

    A job with a claim token (one a worker claimed) fails only while that
    claim holds; a job without one (queued) fails unless it has finished.
    Returns whether the job was failed.
    """
    with transaction.atomic():
        rows = _held(job) if job.claim else Job.objects.filter(id=job.id, status__in=IN_FLIGHT)
        locked = rows.select_for_update().first()
        if locked is None:
            return False
        locked.error_code = code[:64]
        locked.error_message = job_error_message(code)
        if tries is not None:
            locked.tries = tries
        _finish(locked, Job.Status.FAILED)
        moderation_flag_job(job=locked)  # the moderation queue's auto-flags
    _copy_state(locked, into=job)
    return True


def job_release(*, job: Job) -> bool:
    """Give a claimed job back to the queue (running -> queued), for another
    try: the worker is stopping, or it met a transient failure.

    The attempt stays counted. The job is left undispatched, so the caller
    rings for it (or the sweep does). Returns False when the claim no longer
    holds, writing nothing.
    """
    return bool(_held(job).update(**requeued_fields()))


def requeued_fields() -> dict:
    """What putting a job back in the queue writes: no claim, no lease, and
    no bell yet, so the sweep rings for it."""
    return {
        "status": Job.Status.QUEUED,
        "stage": Job.Stage.QUEUED,
        "claim": None,
        "lease_expires_at": None,
        "dispatched_at": None,
        "updated_at": timezone.now(),
    }


def _finish(job: Job, status: str, *, recipe: Recipe | None = None) -> None:
    """Precondition: the caller holds the job's row lock inside a transaction."""
    job.status = status
    job.stage = Job.Stage.DONE
    job.recipe = recipe
    job.claim = None
    job.finished_at = timezone.now()
    job.lease_expires_at = None
    job.save(update_fields=FINISH_FIELDS)


def _copy_state(source: Job, *, into: Job) -> None:
    """Let the caller's instance see what was written through the locked copy."""
    for field in FINISH_FIELDS:
        setattr(into, field, getattr(source, field))
