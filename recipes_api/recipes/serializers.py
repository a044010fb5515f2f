from uuid import UUID

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from vision import schema

from recipes_api.recipes.schema_fields import add_schema_fields


@add_schema_fields(schema.Recipe, source="data", read_only=True)
class RecipeSerializer(serializers.Serializer):
    """A recipe in the library: where it came from, then every field of
    `vision.schema.Recipe`, read from the stored `data`."""

    id = serializers.UUIDField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    model_id = serializers.CharField(read_only=True)
    photo = serializers.UUIDField(source="photo_id", read_only=True, allow_null=True)
    photos = serializers.SerializerMethodField(
        help_text="Every photo it was read from, in order; the first is `photo`."
    )

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_photos(self, recipe) -> list[UUID]:
        ids = [link.photo_id for link in recipe.photo_links.all()]
        return ids or ([recipe.photo_id] if recipe.photo_id else [])
