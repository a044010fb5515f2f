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
    path("recipes/<id:recipe_id>/", RecipeDetailApi.as_view(), name="recipe-detail"),
    path("recipes/<id:recipe_id>/regenerate/", RecipeRegenerateApi.as_view(), name="recipe-regenerate"),
    path("recipes/<id:recipe_id>/versions/", RecipeVersionListApi.as_view(), name="recipe-versions"),
    path("recipes/<id:recipe_id>/jsonld/", RecipeJsonLdApi.as_view(), name="recipe-jsonld"),
]
