from uuid import UUID

from django.db.models import QuerySet

from recipes_api import errors
from recipes_api.recipes.models import Recipe


def recipe_list(*, owner) -> QuerySet[Recipe]:
    return Recipe.objects.filter(owner=owner).order_by("-created_at").prefetch_related("photo_links")


def recipe_get(*, owner, recipe_id: UUID) -> Recipe:
    """Another user's recipe is "not found", never "forbidden": ids leak nothing."""
    recipe = recipe_list(owner=owner).filter(id=recipe_id).first()
    if recipe is None:
        raise errors.NotFound("No such recipe.")
    return recipe
