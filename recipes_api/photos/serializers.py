from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recipes_api.photos.files import photo_file_urls
from recipes_api.photos.models import Job, Photo, language_tag
from recipes_api.photos.selectors import job_photos


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
        help_text=(
            "BCP 47 tag for the recipe's language, which the recipe then carries. Empty: the most preferred "
            "tag of the Accept-Language header; without one, the model follows the photo."
        ),
    )
    reprocess = serializers.BooleanField(
        default=False,
        help_text="Read photos you already sent again, in a new job (202), instead of getting their latest job (200).",
    )


class JobErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PhotoSerializer(serializers.ModelSerializer):
    """A photo as the app shows it: paint `blurhash` at once, then load
    `thumbnail` or `image`. Both URLs are signed and work without a token
    until `expires_at`; after that, fetch the photo again for fresh ones."""

    image = serializers.SerializerMethodField(help_text="The working copy, a JPEG.")
    thumbnail = serializers.SerializerMethodField(help_text="A small WebP; null for a photo stored without one.")
    expires_at = serializers.SerializerMethodField(help_text="When `image` and `thumbnail` stop working.")

    class Meta:
        model = Photo
        fields = ["id", "width", "height", "bytes", "blurhash", "image", "thumbnail", "expires_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_image(self, photo: Photo) -> str:
        return self._urls(photo)["image"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail(self, photo: Photo) -> str | None:
        return self._urls(photo)["thumbnail"]

    @extend_schema_field(serializers.DateTimeField())
    def get_expires_at(self, photo: Photo) -> str:
        return serializers.DateTimeField().to_representation(self._urls(photo)["expires_at"])

    def _urls(self, photo: Photo) -> dict:
        """Signed once per photo and answer, so the three fields agree."""
        signed = self.__dict__.setdefault("_signed", {})
        if photo.pk not in signed:
            signed[photo.pk] = photo_file_urls(photo=photo, request=self.context.get("request"))
        return signed[photo.pk]


class JobSerializer(serializers.ModelSerializer):
    photo = PhotoSerializer(read_only=True, help_text="The cover: the first of `photos`.")
    photos = serializers.SerializerMethodField(help_text="The job's photos, in the order the model reads them.")
    recipe = serializers.UUIDField(source="recipe_id", read_only=True, allow_null=True)
    error = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "status", "stage", "mode", "language", "photo", "photos", "recipe", "error",
            "attempts", "tries", "tokens", "created_at", "updated_at", "started_at", "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, job: Job) -> list[dict]:
        return PhotoSerializer(job_photos(job), many=True, context=self.context).data

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict[str, str] | None:
        if not job.error_code:
            return None
        return {"code": job.error_code, "message": job.error_message}
