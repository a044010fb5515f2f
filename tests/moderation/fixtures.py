"""Fixtures for sharing and moderation tests: alice's recipe with a photo,
sharing it, and staff with and without the Moderators group."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.accounts.models import User
from recipes_api.photos import services
from recipes_api.recipes.services import recipe_create
from recipes_api.sharing.services import share_create
from tests.conftest import PASSWORD


@pytest.fixture
def make_recipe(picture, a_recipe, media_root):
    """make_recipe(owner, color="tomato", **recipe fields) -> a saved recipe with its own photo."""

    def make(owner, *, color="tomato", **changes):
        job = services.photo_accept(owner=owner, upload=SimpleUploadedFile("dish.jpg", picture("JPEG", color=color)))
        return recipe_create(owner=owner, photo=job.photo, photos=[job.photo], recipe=a_recipe(**changes), model_id="tiny")

    return make


@pytest.fixture
def recipe(alice, make_recipe):
    return make_recipe(alice)


@pytest.fixture
def share(recipe, alice):
    return share_create(owner=alice, recipe_id=recipe.id)[0]


def moderators_group() -> Group:
    """The group migration 0002 made. A transactional test elsewhere in the
    run flushes the database, and the group with it; running the
    migration's (idempotent) step again brings it back."""
    migration = importlib.import_module("recipes_api.moderation.migrations.0002_moderators_group")
    migration.create_group(apps, None)
    return Group.objects.get(name="Moderators")


@pytest.fixture
def moderator(db):
    user = User.objects.create_user(username="dora", email="dora@example.org", password=PASSWORD, is_staff=True)
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def onlooker(db):
    """Staff, with every view permission a moderator has, but not `moderate`."""
    user = User.objects.create_user(username="erin", email="erin@example.org", password=PASSWORD, is_staff=True)
    moderators = moderators_group()
    user.user_permissions.set(moderators.permissions.exclude(codename="moderate"))
    return user
