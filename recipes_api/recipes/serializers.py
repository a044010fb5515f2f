from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from vision import schema

from recipes_api.photos.serializers import PhotoSerializer
from recipes_api.recipes.cooking import UNIT_SYSTEMS
from recipes_api.recipes.schema_fields import add_schema_fields
from recipes_api.recipes.selectors import recipe_photos


@add_schema_fields(schema.Recipe, source="data", read_only=True)
class RecipeSerializer(serializers.Serializer):
    """A recipe in the library: where it came from, then every field of
    `vision.schema.Recipe`, read from the stored `data`."""

    id = serializers.UUIDField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    model_id = serializers.CharField(read_only=True)
    photo = PhotoSerializer(read_only=True, allow_null=True, help_text="The cover: the first of `photos`.")
    photos = serializers.SerializerMethodField(help_text="Every photo it was read from, in order.")

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, recipe) -> list[dict]:
        return PhotoSerializer(recipe_photos(recipe), many=True, context=self.context).data


class RecipeCookingSerializer(serializers.Serializer):
    """How to read a recipe for the kitchen (query parameters)."""

    servings = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, help_text="Scale ingredient quantities to this many servings."
    )
    units = serializers.ChoiceField(
        choices=UNIT_SYSTEMS, required=False, help_text="Convert masses and volumes; other quantities are unchanged."
    )
