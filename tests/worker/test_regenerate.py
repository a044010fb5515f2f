"""A regeneration through the real path: the task, the tiny model, and
job_succeed updating the recipe instead of making a new one."""

import pytest

from recipes_api.photos.models import Job
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.regeneration import recipe_regenerate
from recipes_api.recipes.services import recipe_edit
from tests.api.recipe_helpers import recipe_read_from
from worker.tasks import recipe_generate

pytestmark = pytest.mark.usefixtures("media_root", "no_heartbeat")


def test_it_regenerates_with_the_tiny_model_and_keeps_my_title(alice, picture, a_recipe, monkeypatch):
    monkeypatch.setattr("recipes_api.photos.services.job_dispatch", lambda job_id, countdown=None: True)
    recipe = recipe_read_from(alice, picture, a_recipe)
    recipe_edit(recipe=recipe, changes={"title": "Mine", "favorite": True})
    job = recipe_regenerate(recipe=recipe)

    recipe_generate(str(job.id))

    job.refresh_from_db()
    recipe.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.recipe_id == recipe.id
    assert Recipe.objects.count() == 1
    assert recipe.model_id == "tiny"
    assert recipe.title == recipe.data["title"] == "Mine"
    assert recipe.favorite is True
    assert recipe.versions.get().data["title"] == "Shakshuka"
    assert recipe.original_data != recipe.versions.get().data
