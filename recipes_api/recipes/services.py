from collections.abc import Sequence
from uuid import UUID

from django.db import transaction
from vision import schema

from recipes_api.photos.models import Job, Photo
from recipes_api.recipes.models import Recipe, RecipePhoto


def recipe_create(*, owner, photo, recipe: schema.Recipe, model_id: str, job=None, photos: Sequence = ()) -> Recipe:
    """Save a validated recipe into `owner`'s library.

    `recipe` has already passed the schema (it is the pydantic object), so it
    is stored as is; `photo` (the cover) may be None for recipes that never
    had one. `photos` are all the photos it was read from, in order, the
    cover first; without them the recipe keeps its cover only. A `job`
    yields at most one recipe: a second one for the same job is an
    IntegrityError from the database.
    """
    saved = Recipe.objects.create(
        owner=owner,
        photo=photo,
        job=job,
        title=recipe.title,
        language=recipe.language,
        data=recipe.model_dump(mode="json"),
        model_id=model_id,
    )
    photos = list(photos) or ([photo] if photo is not None else [])
    RecipePhoto.objects.bulk_create(
        RecipePhoto(recipe=saved, photo=each, position=position) for position, each in enumerate(photos)
    )
    return saved


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
