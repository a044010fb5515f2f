from uuid import uuid4

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from vision.schema import LANGUAGE_TAG_PATTERN

# The same rule as `vision.schema.Recipe.language`; \Z because Python's $
# would let a trailing newline through.
language_tag = RegexValidator(LANGUAGE_TAG_PATTERN.removesuffix("$") + r"\Z", "Enter a BCP 47 language tag.")


def photo_path(photo: "Photo", filename: str) -> str:
    """Where a photo's file lives: by ids only, never the client's filename,
    so a path reveals nothing and cannot be guessed."""
    return f"photos/{photo.owner_id}/{photo.id}.jpg"


def thumbnail_path(photo: "Photo", filename: str) -> str:
    return f"photos/{photo.owner_id}/{photo.id}.thumb.webp"


def original_path(photo: "Photo", filename: str) -> str:
    return f"photos/{photo.owner_id}/{photo.id}.original.{photo.source_format}"


class Photo(models.Model):
    """An uploaded photo, normalised: an upright RGB JPEG working copy and a
    WebP thumbnail, neither with metadata, and a BlurHash placeholder."""

    class SourceFormat(models.TextChoices):
        JPEG = "jpeg"
        PNG = "png"
        WEBP = "webp"
        HEIC = "heic"
        AVIF = "avif"

    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path, max_length=200, help_text="The working copy the model reads.")
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    # Blank on photos stored before the format was recorded.
    source_format = models.CharField(max_length=8, choices=SourceFormat.choices, blank=True)
    original = models.FileField(
        upload_to=original_path, max_length=200, blank=True, help_text="The upload as sent, under PHOTO_KEEP_ORIGINAL."
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Of the working copy: the same picture, the same hash.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Each owner stores a picture once; a re-upload finds this row.
            # Per owner, never across owners: users never share photos.
            models.UniqueConstraint(fields=["owner", "sha256"], name="photo_unique_per_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.width}x{self.height} photo {self.id}"


class Job(models.Model):
    """One request to turn a photo into a recipe, and how far it has got."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    class Stage(models.TextChoices):
        QUEUED = "queued"
        LOADING = "loading"
        GENERATING = "generating"
        SAVING = "saving"
        DONE = "done"

    class Mode(models.TextChoices):
        AUTO = "auto"
        DISH_PHOTO = "dish_photo"
        RECIPE_CARD = "recipe_card"

    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    # The cover: the first of the job's photos (all of them, in order, are
    # its `photo_links`).
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.QUEUED)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.AUTO)
    language = models.CharField(
        max_length=35, blank=True, validators=[language_tag], help_text="Empty: the model decides."
    )
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    recipe = models.ForeignKey(
        "recipes.Recipe", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # Set on a regeneration: its output replaces this recipe's model output
    # instead of making a new recipe. Deleting the recipe deletes the job.
    regenerates = models.ForeignKey(
        "recipes.Recipe", null=True, blank=True, on_delete=models.CASCADE, related_name="regenerations"
    )
    attempts = models.PositiveIntegerField(default=0)
    # The fence: each claim gets a fresh token, and every write a worker makes
    # names it, so a worker whose lease was taken over changes nothing.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # When the broker last accepted a doorbell for this job; None: never, or
    # the send failed. The sweep re-sends what is None or too old.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    tokens = models.PositiveIntegerField(default=0, help_text="Tokens generated so far in this attempt.")
    tries = models.PositiveSmallIntegerField(
        default=0, help_text="Generations the last attempt ran: 2 when its first answer was invalid and retried."
    )
    generate_ms = models.PositiveIntegerField(null=True, blank=True, help_text="The model's own time.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_newest"),
            models.Index(fields=["status", "lease_expires_at"], name="job_status_lease"),
            models.Index(fields=["status", "dispatched_at"], name="job_status_dispatched"),
        ]

    def __str__(self) -> str:
        return f"job {self.id} ({self.status})"


class JobPhoto(models.Model):
    """One of a job's photos, at its place: the pages of a recipe card or the
    angles of a dish, which the model reads in this order."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="photo_links")
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="job_links")
    position = models.PositiveSmallIntegerField(help_text="0 is the cover, `Job.photo`.")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="job_photo_position_unique")]

    def __str__(self) -> str:
        return f"photo {self.position} of job {self.job_id}"


class IdempotencyKey(models.Model):
    """The answer an upload with an `Idempotency-Key` got, so that a retry
    with the same key gets it again instead of a second job.

    `fingerprint` identifies the request's meaning (each image part's bytes
    in order, mode, language, reprocess), not its multipart encoding.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    # A key whose job is deleted is forgotten with it: a retry is then new.
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    status = models.PositiveSmallIntegerField(help_text="The HTTP status of the first answer: 200 or 202.")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_unique_per_owner")]

    def __str__(self) -> str:
        return f"idempotency key of user {self.owner_id} for job {self.job_id}"


class WorkerHeartbeat(models.Model):
    """A worker that has its model loaded, as last reported by that worker.

    Readiness (`/readyz`) asks for at least one recent report; the row of a
    worker that stopped simply grows stale.
    """

    name = models.CharField(max_length=200, unique=True, help_text="The Celery worker's host name.")
    model_id = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.name} ({self.model_id})"
