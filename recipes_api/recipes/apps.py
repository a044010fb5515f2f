from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "recipes_api.recipes"
    label = "recipes"
    verbose_name = "Recipes"
