"""A job of several photos through the recipe_generate task, called
in-process with the tiny model: the worker reads every photo in order, and
the recipe keeps them all, in order, with the first as its cover."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos import services
from recipes_api.photos.models import Job
from recipes_api.recipes.models import Recipe
from worker import tasks

pytestmark = pytest.mark.usefixtures("media_root", "no_heartbeat")


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)


def test_it_reads_a_recipe_from_several_photos_and_keeps_them_in_order(alice_client, picture, monkeypatch):
    pages = [picture("JPEG", color=shade) for shade in ("tomato", "olive", "navy")]
    parts = [SimpleUploadedFile(f"dish{i}.jpg", page, content_type="image/jpeg") for i, page in enumerate(pages)]
    upload = alice_client.post("/api/v1/photos/", {"image": parts, "mode": "dish_photo"}, format="multipart")
    photo_ids = [photo["id"] for photo in upload.json()["photos"]]
    read = []

    def reading(*, job):  # the real read, watched
        read.append(services.job_photos_read(job=job))
        return read[-1]

    monkeypatch.setattr(tasks, "job_photos_read", reading)

    tasks.recipe_generate(upload.json()["id"])

    job = alice_client.get(upload["Location"]).json()
    assert job["status"] == "succeeded"
    stored = services.job_photos(Job.objects.get(id=job["id"]))
    assert [str(photo.id) for photo in stored] == photo_ids
    assert read == [[services.photo_read(photo=photo) for photo in stored]]  # all three, in order
    recipe = alice_client.get(f"/api/v1/recipes/{job['recipe']}/").json()
    assert [photo["id"] for photo in recipe["photos"]] == photo_ids
    assert recipe["photo"]["id"] == photo_ids[0]
    listed = alice_client.get("/api/v1/recipes/").json()["results"][0]
    assert listed["thumbnail"].split("?")[0] == recipe["photo"]["thumbnail"].split("?")[0]  # the cover
    assert Recipe.objects.get().photo_links.count() == 3
