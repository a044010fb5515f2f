from collections.abc import Sequence

from vision import schema

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
