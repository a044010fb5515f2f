"""Reading a recipe's photos again: a new job whose output replaces the
recipe's model output (see `services.recipe_regenerated`, which the job's
success runs) instead of making a new recipe."""

from django.db import transaction

from recipes_api import errors
from recipes_api.accounts.models import User
from recipes_api.photos.models import Job, JobPhoto
from recipes_api.photos.services import job_send, jobs_in_flight_check  # the upload's own rules
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.selectors import recipe_photos


def recipe_regenerate(*, recipe: Recipe, mode: str | None = None, language: str | None = None) -> Job:
    """Queue a job that reads `recipe`'s photos again, in order, and rings
    the worker once it commits. `mode` and `language` default to those of
    the job that made the recipe (auto and the model's choice when it is
    gone). A recipe without photos is `errors.Conflict` `no_photos`; the
    owner's in-flight cap applies as to an upload (`errors.TooManyJobs`).
    Returns the job; until it succeeds the recipe is unchanged, and a job
    that fails leaves it so.
    """
    photos = recipe_photos(recipe)
    if not photos:
        raise errors.Conflict("This recipe has no photo left to read again.", code="no_photos")
    made_by = recipe.job
    mode = mode or (made_by.mode if made_by else Job.Mode.AUTO)
    language = language if language is not None else (made_by.language if made_by else "")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=recipe.owner_id).first()  # as an upload: serialises the cap
        jobs_in_flight_check(recipe.owner)
        job = Job.objects.create(owner=recipe.owner, photo=photos[0], mode=mode, language=language, regenerates=recipe)
        JobPhoto.objects.bulk_create(
            JobPhoto(job=job, photo=photo, position=position) for position, photo in enumerate(photos)
        )
        transaction.on_commit(lambda: job_send(job_id=job.id))
    return job
