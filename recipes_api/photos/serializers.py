from uuid import UUID

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recipes_api.photos.models import Job, language_tag
from recipes_api.photos.selectors import job_photo_ids


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.ListField(
        # An empty file is let through so that, like every other file, its
        # type is decided from its bytes (none: 415).
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text=(
            "1 to PHOTO_MAX_PER_JOB (default 4) JPEG, PNG, WebP, HEIC or AVIF photos, each an `image` part, "
            "read in order as one recipe (the pages of a card, the angles of a dish); the first is the cover."
        ),
    )
    mode = serializers.ChoiceField(choices=Job.Mode.choices, default=Job.Mode.AUTO)
    language = serializers.CharField(
        max_length=35,
        allow_blank=True,
        default="",
        validators=[language_tag],
        help_text="BCP 47 tag for the recipe's language; empty lets the model decide.",
    )
    reprocess = serializers.BooleanField(
        default=False,
        help_text="Read photos you already sent again, in a new job (202), instead of getting their latest job (200).",
    )


class ApiErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(allow_null=True)


class ApiErrorSerializer(serializers.Serializer):
    """The one error shape (`recipes_api.errors`), for the schema."""

    error = ApiErrorBodySerializer()


class JobErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class JobSerializer(serializers.ModelSerializer):
    photo = serializers.UUIDField(source="photo_id", read_only=True, help_text="The cover: the first of `photos`.")
    photos = serializers.SerializerMethodField(help_text="The job's photos, in the order the model reads them.")
    recipe = serializers.UUIDField(source="recipe_id", read_only=True, allow_null=True)
    error = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "status", "stage", "mode", "language", "photo", "photos", "recipe", "error",
            "attempts", "tokens", "created_at", "updated_at", "started_at", "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_photos(self, job: Job) -> list[UUID]:
        return job_photo_ids(job)

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}
