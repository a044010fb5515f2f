from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recipes_api.photos.models import Job, language_tag


class PhotoUploadSerializer(serializers.Serializer):
    # An empty file is let through so that, like every other file, its type
    # is decided from its bytes (none: 415).
    image = serializers.FileField(allow_empty_file=True, help_text="A JPEG, PNG, WebP, HEIC or AVIF photo.")
    mode = serializers.ChoiceField(choices=Job.Mode.choices, default=Job.Mode.AUTO)
    language = serializers.CharField(
        max_length=35,
        allow_blank=True,
        default="",
        validators=[language_tag],
        help_text=(
            "BCP 47 tag for the recipe's language, which the recipe then carries. Empty: the most preferred "
            "tag of the Accept-Language header; without one, the model follows the photo."
        ),
    )


class JobErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class JobSerializer(serializers.ModelSerializer):
    photo = serializers.UUIDField(source="photo_id", read_only=True)
    recipe = serializers.UUIDField(source="recipe_id", read_only=True, allow_null=True)
    error = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "status", "stage", "mode", "language", "photo", "recipe", "error",
            "attempts", "tries", "tokens", "created_at", "updated_at", "started_at", "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}
