from uuid import UUID

from django.db.models import QuerySet

from recipes_api import errors
from recipes_api.recipes.models import Recipe


def recipe_list(*, owner) -> QuerySet[Recipe]:
    return Recipe.objects.filter(owner=owner).select_related("photo").order_by("-created_at")


def recipe_get(*, owner, recipe_id: UUID) -> Recipe:
    """Another user's recipe is "not found", never "forbidden": ids leak nothing."""
    recipe = recipe_list(owner=owner).filter(id=recipe_id).first()
    if recipe is None:
        raise errors.NotFound("No such recipe.")
    return recipe
