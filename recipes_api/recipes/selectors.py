import copy
from uuid import UUID

from django.db.models import QuerySet

from recipes_api import errors
from recipes_api.recipes.cooking import recipe_converted, recipe_scaled
from recipes_api.recipes.models import Recipe


def recipe_list(*, owner) -> QuerySet[Recipe]:
    return (
        Recipe.objects.filter(owner=owner)
        .select_related("photo")
        .prefetch_related("photo_links__photo")
        .order_by("-created_at")
    )


def recipe_get(*, owner, recipe_id: UUID) -> Recipe:
    """Another user's recipe is "not found", never "forbidden": ids leak nothing."""
    recipe = recipe_list(owner=owner).filter(id=recipe_id).first()
    if recipe is None:
        raise errors.NotFound("No such recipe.")
    return recipe


def recipe_for_cooking(recipe: Recipe, *, servings: int | None = None, units: str | None = None) -> Recipe:
    """An unsaved copy of `recipe` scaled to `servings` and written in `units`
    ("metric" or "us"); the stored recipe is never changed by a read. Raises
    `errors.Unprocessable` when asked to scale a recipe whose servings are unknown."""
    data = recipe.data
    if servings is not None and servings != data.get("servings"):
        if not data.get("servings"):
            raise errors.Unprocessable(
                "This recipe does not say how many it serves, so it cannot be scaled; set its servings first.",
                code="servings_unknown",
            )
        data = recipe_scaled(data, servings)
    if units is not None:
        data = recipe_converted(data, units)
    if data is recipe.data:
        return recipe
    for_cooking = copy.copy(recipe)
    for_cooking.data = data
    return for_cooking


def recipe_photos(recipe: Recipe) -> list:
    """The photos the recipe was read from, in order; the first is its cover
    (`photo_links` is prefetched by `recipe_list` and `recipe_get`)."""
    photos = [link.photo for link in recipe.photo_links.all()]
    return photos or ([recipe.photo] if recipe.photo else [])
