from rest_framework import generics

from recipes_api.recipes.selectors import recipe_get, recipe_list
from recipes_api.recipes.serializers import RecipeSerializer


class RecipeListApi(generics.ListAPIView):
    serializer_class = RecipeSerializer

    def get_queryset(self):
        return recipe_list(owner=self.request.user)


class RecipeDetailApi(generics.RetrieveAPIView):
    serializer_class = RecipeSerializer

    def get_object(self):
        return recipe_get(owner=self.request.user, recipe_id=self.kwargs["recipe_id"])
