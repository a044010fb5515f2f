import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos import services
from recipes_api.recipes.services import recipe_create

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def some_work(alice, picture, a_recipe):
    job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))
    recipe_create(owner=alice, photo=job.photo, recipe=a_recipe(), model_id="tiny")
    return job


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/photos/photo/",
        "/admin/photos/job/",
        "/admin/recipes/recipe/",
        "/admin/photos/job/?status__exact=queued",
        "/admin/photos/job/?q=alice",
        "/admin/recipes/recipe/?q=shakshuka",
    ],
)
def test_it_loads_the_changelists(staff_client, some_work, url):
    assert staff_client.get(url).status_code == 200


def test_it_shows_a_job(staff_client, some_work):
    assert staff_client.get(f"/admin/photos/job/{some_work.id}/change/").status_code == 200


def test_it_keeps_out_non_staff(client, alice):
    client.force_login(alice)

    r = client.get("/admin/photos/job/")

    assert r.status_code == 302
    assert "/admin/login/" in r["Location"]
