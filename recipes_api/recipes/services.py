from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from vision import schema

from recipes_api import errors
from recipes_api.photos.models import Job, Photo
from recipes_api.recipes import edits
from recipes_api.recipes.models import Recipe, RecipeLabel, RecipePhoto, RecipeTombstone, RecipeVersion
from recipes_api.recipes.search import recipe_search_forget, recipe_search_index, search_config

# What the user owns beside the recipe's fields; a model never writes these.
USER_FIELDS = ("favorite", "tags", "notes")
# What an edit or a regeneration saves (never `search_vector`: `_index` does).
SAVED_FIELDS = [
    "data", "original_data", "model_id", "title", "language", "cuisine", "course", "source", "prep_minutes",
    "cook_minutes", "total_minutes", "search_config", *USER_FIELDS, "version", "updated_at",
]  # fmt: skip


def recipe_create(*, owner, photo, recipe: schema.Recipe, model_id: str, job=None, photos: Sequence = ()) -> Recipe:
    """Save a validated recipe into `owner`'s library.

    `recipe` has already passed the schema (it is the pydantic object), so it
    is stored as is, both as what the user sees and as the model's original;
    the user's tags start as the model's. `photo` (the cover) may be None for
    recipes that never had one. `photos` are all the photos it was read from,
    in order, the cover first; without them the recipe keeps its cover only.
    A `job` yields at most one recipe: a second one for the same job is an
    IntegrityError from the database.
    """
    data = recipe.model_dump(mode="json")
    with transaction.atomic():
        saved = Recipe.objects.create(
            owner=owner,
            photo=photo,
            job=job,
            data=data,
            original_data=data,
            model_id=model_id,
            tags=list(data["tags"]),
            **_columns(data),
        )
        photos = list(photos) or ([photo] if photo is not None else [])
        RecipePhoto.objects.bulk_create(
            RecipePhoto(recipe=saved, photo=each, position=position) for position, each in enumerate(photos)
        )
        _index(saved)
    return saved


def recipe_edit(*, recipe: Recipe, changes: dict, expected_version: int | None = None) -> Recipe:
    """Apply a user's correction: `changes` holds any of the recipe's
    top-level fields (merged into `data`, see `edits.merged`) and any of
    `USER_FIELDS`, already checked by the caller's serializer.

    The merged recipe must pass the schema, else `errors.Invalid` with the
    field paths, and nothing changes. With `expected_version` (the client's
    If-Match), an edit of a recipe that changed since is
    `errors.PreconditionFailed`. The model's original is never touched.
    Returns the recipe as saved, its version bumped.
    """
    fields = {key: value for key, value in changes.items() if key not in USER_FIELDS}
    with transaction.atomic():
        locked = Recipe.objects.select_for_update().defer("search_vector").get(pk=recipe.pk)
        if expected_version is not None and locked.version != expected_version:
            raise errors.PreconditionFailed()
        if fields:
            locked.data = edits.validated(edits.merged(locked.data, fields))
            for name, value in _columns(locked.data).items():
                setattr(locked, name, value)
        for name in USER_FIELDS:
            if name in changes:
                setattr(locked, name, changes[name])
        locked.version = F("version") + 1
        locked.save(update_fields=SAVED_FIELDS)
        locked.refresh_from_db(fields=["version"])
        _index(locked, text=bool(fields))
    return locked


def recipe_regenerated(*, recipe_id: UUID, recipe: schema.Recipe, model_id: str) -> Recipe | None:
    """Put a regeneration's output in place of the recipe's model output.

    The previous output is kept as a `RecipeVersion`. The fields the user
    edited keep the user's values, the rest take the new output
    (`edits.regenerated`); favorite, tags and notes are untouched. For
    `photos.services.job_succeed`, inside its transaction. Returns the
    recipe, or None when it has been deleted.
    """
    with transaction.atomic():
        locked = Recipe.objects.select_for_update().defer("search_vector").filter(pk=recipe_id).first()
        if locked is None:
            return None
        new = recipe.model_dump(mode="json")
        RecipeVersion.objects.create(
            recipe=locked, data=locked.original_data, model_id=locked.model_id, created_at=_output_written_at(locked)
        )
        locked.data = edits.regenerated(locked.data, locked.original_data, new)
        locked.original_data = new
        locked.model_id = model_id
        for name, value in _columns(locked.data).items():
            setattr(locked, name, value)
        locked.version = F("version") + 1
        locked.save(update_fields=SAVED_FIELDS)
        locked.refresh_from_db(fields=["version"])
        _index(locked)
    return locked


def _output_written_at(recipe: Recipe):
    latest = recipe.versions.order_by("-replaced_at").first()
    return latest.replaced_at if latest else recipe.created_at


def recipe_delete(*, recipe: Recipe) -> None:
    """Delete a recipe: its history, its regenerations in flight (their jobs
    go, so their workers write nothing), a tombstone for syncing phones, and
    then its photos with their files, once nothing else uses them
    (`recipe_photo_release`)."""
    with transaction.atomic():
        photo_ids = {recipe.photo_id, *RecipePhoto.objects.filter(recipe=recipe).values_list("photo_id", flat=True)}
        RecipeTombstone.objects.create(owner_id=recipe.owner_id, recipe_id=recipe.pk, deleted_at=timezone.now())
        recipe_search_forget(recipe.pk)
        Recipe.objects.filter(pk=recipe.pk).delete()
        for photo_id in photo_ids - {None}:
            recipe_photo_release(photo_id=photo_id)


def recipe_tombstones_purge() -> int:
    """Forget deletions older than RECIPE_TOMBSTONE_DAYS (for the sweep).
    Returns how many were forgotten."""
    cutoff = timezone.now() - timedelta(days=settings.RECIPE_TOMBSTONE_DAYS)
    deleted, _ = RecipeTombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted


def _columns(data: dict) -> dict:
    """The indexed columns copied out of `data`."""
    prep, cook = data.get("prep_minutes"), data.get("cook_minutes")
    return {
        "title": data["title"],
        "language": data["language"],
        "cuisine": data["cuisine"],
        "course": data["course"],
        "source": data["source"],
        "prep_minutes": prep,
        "cook_minutes": cook,
        "total_minutes": None if prep is None and cook is None else (prep or 0) + (cook or 0),
        "search_config": search_config(data["language"]),
    }


def _index(recipe: Recipe, *, text: bool = True) -> None:
    """Rewrite the recipe's labels (tags, diets, allergens) and, unless only
    user fields changed, its search entry."""
    RecipeLabel.objects.filter(recipe=recipe).delete()
    values = [
        *((RecipeLabel.Kind.TAG, tag) for tag in recipe.tags),
        *((RecipeLabel.Kind.DIET, diet) for diet in recipe.data["diets"]),
        *((RecipeLabel.Kind.ALLERGEN, allergen) for allergen in recipe.data["allergens"]),
    ]
    RecipeLabel.objects.bulk_create(
        RecipeLabel(recipe=recipe, kind=kind, value=value) for kind, value in dict.fromkeys(values)
    )
    if text:
        recipe_search_index(recipe)


def recipe_photo_release(*, photo_id: UUID | None) -> bool:
    """Delete a photo once no recipe uses it: for a caller that has just
    deleted a recipe (or taken its photo away), inside its transaction or after.

    The photo is kept while a recipe still shows it, or while one of its jobs
    is queued or running (that job will save a recipe with it). Otherwise it
    goes with its jobs, and its files once the transaction commits. Returns
    whether the photo was deleted; None or an unknown id deletes nothing.
    """
    # Imported here: photos.services imports this module (recipe_create).
    from recipes_api.photos.services import IN_FLIGHT, photo_delete

    if photo_id is None:
        return False
    with transaction.atomic():
        # The lock orders this against another release of the same photo.
        photo = Photo.objects.select_for_update().filter(id=photo_id).first()
        if photo is None or Recipe.objects.filter(photo_id=photo_id).exists():
            return False
        if RecipePhoto.objects.filter(photo_id=photo_id).exists():
            return False
        in_flight = Job.objects.filter(status__in=IN_FLIGHT)
        if in_flight.filter(photo_id=photo_id).exists() or in_flight.filter(photo_links__photo_id=photo_id).exists():
            return False
        photo_delete(photo=photo)
    return True
