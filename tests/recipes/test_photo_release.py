"""recipe_photo_release: a photo goes once the last recipe that used it has."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.models import Job, Photo
from recipes_api.photos.services import job_fail, photo_accept
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.services import recipe_create, recipe_photo_release

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def job(alice, picture):
    return photo_accept(owner=alice, upload=SimpleUploadedFile("dish.png", picture("PNG")))


@pytest.fixture
def recipe_of(a_recipe):
    def make(job: Job, *, link_job=True) -> Recipe:
        return recipe_create(
            owner=job.owner, photo=job.photo, job=job if link_job else None, recipe=a_recipe(), model_id="tiny"
        )

    return make


def files_of(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_it_removes_the_photo_once_its_last_recipe_is_gone(
    job, recipe_of, media_root, django_capture_on_commit_callbacks
):
    job_fail(job=job, code="not_food")  # finished: nothing will save a recipe with it any more
    first, second = recipe_of(job), recipe_of(job, link_job=False)

    first.delete()
    assert recipe_photo_release(photo_id=job.photo_id) is False
    assert Photo.objects.filter(id=job.photo_id).exists()

    second.delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert recipe_photo_release(photo_id=job.photo_id) is True

    assert not Photo.objects.exists()
    assert not Job.objects.exists()
    assert files_of(media_root) == []


def test_it_keeps_a_photo_that_a_job_is_still_reading(job, recipe_of, media_root):
    recipe = recipe_of(job, link_job=False)  # a regenerate: the job is still queued
    recipe.delete()

    assert recipe_photo_release(photo_id=job.photo_id) is False
    assert Photo.objects.filter(id=job.photo_id).exists()
    assert len(files_of(media_root)) == 2


def test_it_does_nothing_for_no_photo_or_an_unknown_one(job):
    assert recipe_photo_release(photo_id=None) is False
    Photo.objects.filter(id=job.photo_id).delete()
    assert recipe_photo_release(photo_id=job.photo_id) is False
