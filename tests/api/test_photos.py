"""The photo object (in the upload, job and recipe answers, and at
GET /api/v1/photos/{id}/), and DELETE /api/v1/photos/{id}/."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from recipes_api.photos.models import Job, Photo
from recipes_api.photos.services import photo_accept, photo_delete
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.services import recipe_create

pytestmark = pytest.mark.usefixtures("media_root")

PHOTO_FIELDS = {"id", "width", "height", "bytes", "blurhash", "image", "thumbnail", "expires_at"}


@pytest.fixture
def job_for(picture, settings):
    """job_for(user) -> a queued job for a fresh photo of `user`'s, kept original included."""
    settings.PHOTO_KEEP_ORIGINAL = True

    def make(user) -> Job:
        return photo_accept(owner=user, upload=SimpleUploadedFile("dish.png", picture("PNG", size=(800, 600))))

    return make


@pytest.fixture
def recipe_of(a_recipe):
    """recipe_of(job) -> the recipe the job's photo became."""

    def make(job: Job) -> Recipe:
        return recipe_create(owner=job.owner, photo=job.photo, job=job, recipe=a_recipe(), model_id="tiny")

    return make


def files_of(media_root) -> list[str]:
    return sorted(path.name for path in media_root.rglob("*") if path.is_file())


def assert_photo_object(body: dict, photo: Photo):
    assert set(body) == PHOTO_FIELDS
    assert body["id"] == str(photo.id)
    assert (body["width"], body["height"]) == (800, 600)
    assert body["bytes"] == photo.bytes
    assert body["blurhash"] == photo.blurhash and photo.blurhash
    assert body["image"].startswith(f"http://testserver/api/v1/photos/{photo.id}/image/?sig=")
    assert body["thumbnail"].startswith(f"http://testserver/api/v1/photos/{photo.id}/thumbnail/?sig=")
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < expires_at - timezone.now() <= timedelta(hours=1)


def test_it_gives_the_photo_object_in_the_upload_answer(alice_client, picture):
    image = SimpleUploadedFile("dish.png", picture("PNG", size=(800, 600)), content_type="image/png")
    r = alice_client.post("/api/v1/photos/", {"image": image}, format="multipart")

    assert r.status_code == 202
    assert_photo_object(r.json()["photo"], Photo.objects.get())


def test_it_gives_the_photo_object_in_the_job_answer(alice_client, alice, job_for):
    job = job_for(alice)

    r = alice_client.get(f"/api/v1/jobs/{job.id}/")

    assert_photo_object(r.json()["photo"], job.photo)
    listed = alice_client.get("/api/v1/jobs/").json()["results"]
    assert_photo_object(listed[0]["photo"], job.photo)


def test_it_gives_the_photo_object_in_the_recipe_answer(alice_client, alice, job_for, recipe_of):
    job = job_for(alice)
    recipe = recipe_of(job)

    r = alice_client.get(f"/api/v1/recipes/{recipe.id}/")

    assert_photo_object(r.json()["photo"], job.photo)
    (listed,) = alice_client.get("/api/v1/recipes/").json()["results"]  # the light list: the cover's thumbnail
    assert listed["thumbnail"].split("?")[0] == r.json()["photo"]["thumbnail"].split("?")[0]
    assert listed["blurhash"] == job.photo.blurhash


def test_it_shows_my_photo(alice_client, alice, job_for):
    job = job_for(alice)

    r = alice_client.get(f"/api/v1/photos/{job.photo_id}/")

    assert r.status_code == 200
    assert_photo_object(r.json(), job.photo)


def test_it_hides_alices_photo_from_bob(bob_client, alice, job_for, media_root):
    job = job_for(alice)

    assert bob_client.get(f"/api/v1/photos/{job.photo_id}/").status_code == 404
    r = bob_client.delete(f"/api/v1/photos/{job.photo_id}/")

    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert Photo.objects.filter(id=job.photo_id).exists()
    assert len(files_of(media_root)) == 3


def test_it_answers_404_for_an_unknown_photo(alice_client):
    assert alice_client.get(f"/api/v1/photos/{uuid.uuid4()}/").status_code == 404
    assert alice_client.delete(f"/api/v1/photos/{uuid.uuid4()}/").status_code == 404


def test_it_asks_for_credentials(anon_client, alice, job_for):
    job = job_for(alice)

    assert anon_client.get(f"/api/v1/photos/{job.photo_id}/").status_code == 401
    assert anon_client.delete(f"/api/v1/photos/{job.photo_id}/").status_code == 401


def test_it_deletes_my_photo_with_its_jobs_and_files(
    alice_client, alice, job_for, recipe_of, media_root, django_capture_on_commit_callbacks
):
    job = job_for(alice)
    recipe = recipe_of(job)
    assert len(files_of(media_root)) == 3  # working copy, thumbnail, original

    with django_capture_on_commit_callbacks(execute=True):
        r = alice_client.delete(f"/api/v1/photos/{job.photo_id}/")

    assert r.status_code == 204
    assert not Photo.objects.exists()
    assert not Job.objects.exists()
    recipe.refresh_from_db()
    assert recipe.photo is None
    assert files_of(media_root) == []
    assert alice_client.get(f"/api/v1/recipes/{recipe.id}/").json()["photo"] is None


def test_it_keeps_the_files_when_the_deletion_rolls_back(
    alice, job_for, media_root, django_capture_on_commit_callbacks
):
    job = job_for(alice)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            photo_delete(photo=job.photo)
            assert not Photo.objects.exists()
            raise RuntimeError("a later step of the same transaction failed")

    assert callbacks == []
    assert Photo.objects.filter(id=job.photo_id).exists()
    assert len(files_of(media_root)) == 3


def test_it_removes_a_deleted_users_photo_files(alice, bob, job_for, media_root, django_capture_on_commit_callbacks):
    job_for(alice), job_for(alice)
    bobs = job_for(bob)

    with django_capture_on_commit_callbacks(execute=True):
        alice.delete()

    assert list(Photo.objects.all()) == [bobs.photo]
    assert sorted(path.parent.name for path in media_root.rglob("*") if path.is_file()) == [str(bob.id)] * 3


def test_it_documents_the_photo_object_for_the_phones_client(anon_client, db):
    components = anon_client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert set(components["Photo"]["properties"]) == PHOTO_FIELDS
    photo = components["Job"]["properties"]["photo"]
    assert (photo["allOf"], photo["readOnly"]) == ([{"$ref": "#/components/schemas/Photo"}], True)
    assert components["Job"]["properties"]["photos"]["items"] == {"$ref": "#/components/schemas/Photo"}


def test_it_removes_the_files_of_a_user_deleted_from_the_admin(
    client, staff, alice, job_for, recipe_of, media_root, django_capture_on_commit_callbacks
):
    recipe_of(job_for(alice))
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/admin/accounts/user/{alice.id}/delete/", {"post": "yes"})

    assert r.status_code == 302
    assert not Photo.objects.exists()
    assert files_of(media_root) == []
