from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from recipes_api.photos.files import photo_file_url
from recipes_api.recipes.jsonld import recipe_jsonld
from recipes_api.recipes.selectors import recipe_for_cooking, recipe_get, recipe_list
from recipes_api.recipes.serializers import RecipeCookingSerializer, RecipeSerializer


class RecipeListApi(generics.ListAPIView):
    serializer_class = RecipeSerializer

    def get_queryset(self):
        return recipe_list(owner=self.request.user)


class RecipeDetailApi(APIView):
    @extend_schema(parameters=[RecipeCookingSerializer], responses={200: RecipeSerializer})
    def get(self, request, recipe_id):
        recipe = recipe_get(owner=request.user, recipe_id=recipe_id)
        options = RecipeCookingSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        for_cooking = recipe_for_cooking(recipe, **options.validated_data)
        return Response(RecipeSerializer(for_cooking, context={"request": request}).data)


class RecipeJsonLdApi(APIView):
    @extend_schema(
        summary="The recipe as schema.org Recipe JSON-LD",
        responses={(200, "application/ld+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request, recipe_id):
        recipe = recipe_get(owner=request.user, recipe_id=recipe_id)
        images = [photo_file_url(photo=recipe.photo, variant="image", request=request)] if recipe.photo else []
        document = recipe_jsonld(recipe.data, created_at=recipe.created_at, images=images)
        return JsonResponse(document, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False})
