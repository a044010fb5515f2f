from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from vision import schema

from recipes_api.photos.files import PhotoUrlSigner
from recipes_api.photos.models import Job, language_tag
from recipes_api.photos.serializers import PhotoSerializer
from recipes_api.recipes.cooking import UNIT_SYSTEMS
from recipes_api.recipes.edits import edited_fields
from recipes_api.recipes.schema_fields import add_schema_fields
from recipes_api.recipes.selectors import ORDERINGS, recipe_photos

TAGS_HELP = (
    "Your tags: they start as the model's suggestions (`original.tags`), are yours to edit, "
    "and a regeneration never changes them."
)


def _user_tags(**options) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(min_length=1, max_length=40), max_length=30, help_text=TAGS_HELP, **options
    )


@add_schema_fields(schema.Recipe, read_only=True)
class ModelOutputSerializer(serializers.Serializer):
    """A recipe as the model wrote it, before the user's corrections."""


@add_schema_fields(schema.Recipe, source="data", read_only=True, overrides={"tags": _user_tags(read_only=True)})
class RecipeSerializer(serializers.Serializer):
    """A recipe in the library: where it came from, the user's own fields,
    then every field of `vision.schema.Recipe` as the user corrected it
    (`tags` being the user's), and with `?include=original` the model's
    output as it wrote it."""

    id = serializers.UUIDField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    model_id = serializers.CharField(read_only=True)
    photo = PhotoSerializer(read_only=True, allow_null=True, help_text="The cover: the first of `photos`.")
    photos = serializers.SerializerMethodField(help_text="Every photo it was read from, in order.")
    version = serializers.IntegerField(read_only=True, help_text="Bumped by every edit and regeneration.")
    favorite = serializers.BooleanField(read_only=True)
    notes = serializers.CharField(read_only=True, help_text="Your notes.")
    edited_fields = serializers.SerializerMethodField(
        help_text="The recipe fields you changed: a regeneration keeps your values for these."
    )
    original = ModelOutputSerializer(
        source="original_data", read_only=True, required=False, help_text="Only with `?include=original`."
    )

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, recipe) -> list[dict]:
        return PhotoSerializer(recipe_photos(recipe), many=True, context=self.context).data

    def get_edited_fields(self, recipe) -> list[str]:
        return edited_fields(recipe.data, recipe.original_data)

    def to_representation(self, recipe):
        body = super().to_representation(recipe)
        if "original" not in self.context.get("include", ()):
            body.pop("original")
        return body


_DATETIME = serializers.DateTimeField()


class RecipeListSerializer(serializers.Serializer):
    """A recipe as the library list shows it: light, from the recipe row
    and its cover alone."""

    # It serializes the rows (dicts) that `selectors.recipe_list` reads.

    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    thumbnail = serializers.SerializerMethodField(help_text="The cover's thumbnail (signed, expiring); null without one.")
    blurhash = serializers.SerializerMethodField(help_text="The cover's BlurHash, to paint at once; empty without one.")
    thumbnail_expires_at = serializers.SerializerMethodField(help_text="When `thumbnail` stops working.")
    # Columns copied out of `data`, which the list does not load.
    prep_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    cook_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    total_minutes = serializers.IntegerField(read_only=True, allow_null=True, help_text="prep + cook.")
    tags = _user_tags(read_only=True)
    favorite = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, row: dict) -> dict:
        # A page holds 20 to 100 of these, and going field by field (the
        # fields above, which define the schema) was a third of its time.
        # Built directly instead; a test holds the two to the same output.
        return {
            "id": str(row["id"]),
            "title": row["title"],
            "thumbnail": self.get_thumbnail(row),
            "blurhash": self.get_blurhash(row),
            "thumbnail_expires_at": self.get_thumbnail_expires_at(row),
            "prep_minutes": row["prep_minutes"],
            "cook_minutes": row["cook_minutes"],
            "total_minutes": row["total_minutes"],
            "tags": list(row["tags"]),
            "favorite": row["favorite"],
            "version": row["version"],
            "updated_at": _DATETIME.to_representation(row["updated_at"]),
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail(self, row: dict) -> str | None:
        return self._urls.url(photo_id=row["photo_id"], variant="thumbnail", name=row["cover_thumbnail"])

    def get_blurhash(self, row: dict) -> str:
        return row["cover_blurhash"] or ""

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_thumbnail_expires_at(self, row: dict) -> str | None:
        return self._expires_at if row["cover_thumbnail"] else None

    @cached_property
    def _urls(self) -> PhotoUrlSigner:
        """One signer for the page."""
        return PhotoUrlSigner(self.context.get("request"))

    @cached_property
    def _expires_at(self) -> str:
        return _DATETIME.to_representation(self._urls.expires_at)


class TombstoneSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="recipe_id")
    deleted_at = serializers.DateTimeField()


class RecipeListQuerySerializer(serializers.Serializer):
    """The library list's search, ordering and sync (query parameters)."""

    search = serializers.CharField(
        max_length=200, required=False, help_text="Words to find in title, description, ingredients and steps."
    )
    ordering = serializers.ChoiceField(
        choices=list(ORDERINGS),
        required=False,
        help_text=(
            "newest (default), oldest, title, total_time (quickest first, unknown times last), "
            "relevance (the default with `search`, and only with it)."
        ),
    )
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="ISO 8601: only recipes changed at or after it, and `deleted` tombstones (first page).",
    )


@add_schema_fields(schema.Recipe, overrides={"tags": _user_tags()})
class RecipeEditSerializer(serializers.Serializer):
    """A correction: any of the recipe's fields (objects such as `nutrition`
    are merged key by key, lists replaced whole) and your own `favorite`,
    `tags` and `notes`. The result must pass the recipe schema."""

    favorite = serializers.BooleanField()
    notes = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False)


class RecipeDetailQuerySerializer(serializers.Serializer):
    """How to read a recipe for the kitchen (query parameters)."""

    servings = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, help_text="Scale ingredient quantities to this many servings."
    )
    units = serializers.ChoiceField(
        choices=UNIT_SYSTEMS, required=False, help_text="Convert masses and volumes; other quantities are unchanged."
    )
    include = serializers.MultipleChoiceField(
        choices=["original"], required=False, help_text="`original`: add the model's output as it wrote it."
    )

    def to_internal_value(self, data):
        # `include=original,history` as well as repeated `include`.
        if hasattr(data, "getlist") and "include" in data:
            data = data.copy()
            data.setlist("include", [part for value in data.getlist("include") for part in value.split(",") if part])
        return super().to_internal_value(data)


# Kept under its old name for the cooking options alone.
RecipeCookingSerializer = RecipeDetailQuerySerializer


class RecipeRegenerateSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Job.Mode.choices, required=False, help_text="Default: the first job's.")
    language = serializers.CharField(
        max_length=35,
        allow_blank=True,
        required=False,
        validators=[language_tag],
        help_text="BCP 47 tag; empty lets the model decide. Default: the first job's.",
    )


class RecipeVersionSerializer(serializers.Serializer):
    """A model output that a regeneration replaced."""

    model_id = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True, help_text="When the model wrote it.")
    replaced_at = serializers.DateTimeField(read_only=True)
    data = ModelOutputSerializer(read_only=True)
