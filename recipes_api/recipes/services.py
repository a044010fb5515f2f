from vision import schema

from recipes_api.recipes.models import Recipe


def recipe_create(*, owner, photo, recipe: schema.Recipe, model_id: str, job=None) -> Recipe:
    """Save a validated recipe into `owner`'s library.

    `recipe` has already passed the schema (it is the pydantic object), so it
    is stored as is; `photo` may be None for recipes that never had one. A
    `job` yields at most one recipe: a second one for the same job is an
    IntegrityError from the database.
    """
    return Recipe.objects.create(
        owner=owner,
        photo=photo,
        job=job,
        title=recipe.title,
        language=recipe.language,
        data=recipe.model_dump(mode="json"),
        model_id=model_id,
    )
