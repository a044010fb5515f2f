from rest_framework import serializers
from vision import schema

from recipes_api.photos.serializers import PhotoSerializer
from recipes_api.recipes.schema_fields import add_schema_fields


@add_schema_fields(schema.Recipe, source="data", read_only=True)
class RecipeSerializer(serializers.Serializer):
    """A recipe in the library: where it came from, then every field of
    `vision.schema.Recipe`, read from the stored `data`."""

    id = serializers.UUIDField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    model_id = serializers.CharField(read_only=True)
    photo = PhotoSerializer(read_only=True, allow_null=True)
