import copy
from datetime import datetime
from uuid import UUID

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from recipes_api import errors
from recipes_api.photos.models import Photo
from recipes_api.recipes.cooking import recipe_converted, recipe_scaled
from recipes_api.recipes.models import Recipe, RecipeTombstone, RecipeVersion
from recipes_api.recipes.search import recipes_searched

# `ordering` -> the order of the list; the first field is the cursor's
# position, the rest break ties. Recipes without a known time come last.
ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "title": ("title", "id"),
    "total_time": ("time_key", "id"),
    "relevance": ("-rank", "id"),  # with `search` only; its default
}
NO_TIME = 1_000_000
# What a list page reads, as rows (dicts), not model instances: the recipe's
# own columns and its cover's, never the recipe JSON (decoding it was the
# largest cost of a page; building instances was a fifth of what was left).
LIST_FIELDS = (
    "id", "title", "photo_id", "prep_minutes", "cook_minutes", "total_minutes", "tags", "favorite", "version",
    "created_at", "updated_at", "cover_thumbnail", "cover_blurhash",
)  # fmt: skip
# The cover's columns come from subqueries, not a join: PostgreSQL runs them
# for the page's rows alone, after a search has ranked and cut its matches,
# where a join read the cover of every match (4.7 against 3.1 ms a page at
# 950 matches). Annotated once, here: resolving them anew for each request
# took a sixth of a page's time.
_COVER = Photo.objects.filter(pk=OuterRef("photo_id"))
_WITH_COVERS = Recipe.objects.annotate(
    cover_thumbnail=Subquery(_COVER.values("thumbnail")), cover_blurhash=Subquery(_COVER.values("blurhash"))
)


def recipe_list(
    *, owner, search: str | None = None, ordering: str | None = None, updated_since: datetime | None = None
) -> QuerySet[dict]:
    """The owner's library for the list, as rows of LIST_FIELDS plus the
    ordering's own key (`rank`, `time_key`), ordered by `ordering` (a key of
    ORDERINGS; "relevance" when searching, else "newest"). `search` keeps
    the matching recipes (`search.py`); `updated_since` those changed at or
    after it."""
    recipes = _WITH_COVERS.filter(owner=owner)
    if updated_since is not None:
        recipes = recipes.filter(updated_at__gte=updated_since)
    if search:
        recipes = recipes_searched(recipes, search, owner=owner)
    ordering = ordering or ("relevance" if search else "newest")
    if ordering == "relevance" and not search:
        raise errors.Invalid("Order by relevance only with `search`.", details={"ordering": ["Needs search."]})
    if ordering == "total_time":
        recipes = recipes.annotate(time_key=Coalesce("total_minutes", Value(NO_TIME)))
    keys = [key for key in ("rank", "time_key") if key in recipes.query.annotations]
    return recipes.values(*LIST_FIELDS, *keys).order_by(*ORDERINGS[ordering])


def recipe_get(*, owner, recipe_id: UUID) -> Recipe:
    """Another user's recipe is "not found", never "forbidden": ids leak nothing."""
    recipe = (
        Recipe.objects.filter(owner=owner, id=recipe_id)
        .select_related("photo")
        .prefetch_related("photo_links__photo")
        .defer("search_vector")
        .first()
    )
    if recipe is None:
        raise errors.NotFound("No such recipe.")
    return recipe


def recipe_versions(*, recipe: Recipe) -> QuerySet[RecipeVersion]:
    """The model outputs regenerations replaced, newest first."""
    return RecipeVersion.objects.filter(recipe=recipe).order_by("-replaced_at")


def recipe_tombstones(*, owner, since: datetime) -> list[RecipeTombstone]:
    """The owner's recipes deleted at or after `since`, oldest first."""
    return list(RecipeTombstone.objects.filter(owner=owner, deleted_at__gte=since).order_by("deleted_at"))


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
    (`photo_links` is prefetched by `recipe_get`)."""
    photos = [link.photo for link in recipe.photo_links.all()]
    return photos or ([recipe.photo] if recipe.photo else [])
