from django.urls import path

from recipes_api.recipes.api import (
    RecipeDetailApi,
    RecipeJsonLdApi,
    RecipeListApi,
    RecipeRegenerateApi,
    RecipeVersionListApi,
)

urlpatterns = [
    path("recipes/", RecipeListApi.as_view(), name="recipe-list"),
    path("recipes/<uuid:recipe_id>/", RecipeDetailApi.as_view(), name="recipe-detail"),
    path("recipes/<uuid:recipe_id>/regenerate/", RecipeRegenerateApi.as_view(), name="recipe-regenerate"),
    path("recipes/<uuid:recipe_id>/versions/", RecipeVersionListApi.as_view(), name="recipe-versions"),
    path("recipes/<uuid:recipe_id>/jsonld/", RecipeJsonLdApi.as_view(), name="recipe-jsonld"),
]
