from django.urls import path

from recipes_api.sharing.api import ShareApi

urlpatterns = [
    path("recipes/<id:recipe_id>/share/", ShareApi.as_view(), name="recipe-share"),
]
