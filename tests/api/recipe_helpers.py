"""Making recipes for the library tests: through the services, as the
worker does, with or without real photos."""

from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.services import job_claim, job_succeed, photo_accept
from recipes_api.recipes.services import recipe_create


def recipe_saved(user, a_recipe, **changes):
    """A recipe without photos in `user`'s library."""
    return recipe_create(owner=user, photo=None, recipe=a_recipe(**changes), model_id="tiny-qwen-vl")


def recipe_read_from(user, picture, a_recipe, color="tomato", **changes):
    """A recipe read from a real, stored photo: upload, claim, succeed."""
    job = photo_accept(owner=user, upload=SimpleUploadedFile("dish.jpg", picture(color=color)))
    claimed = job_claim(job_id=job.id)
    return job_succeed(job=claimed, recipe=a_recipe(**changes), model_id="tiny-qwen-vl")
