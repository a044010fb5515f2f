"""The account routes: who am I, take my data away, delete me."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.accounts.models import User
from recipes_api.photos.models import Job, Photo
from recipes_api.photos.services import photo_accept
from recipes_api.recipes.models import Recipe
from recipes_api.recipes.services import recipe_create

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def library_of(picture, a_recipe, django_capture_on_commit_callbacks):
    """library_of(user, title) -> a photo, its job and the recipe it became."""

    def make(user, title: str) -> Recipe:
        with django_capture_on_commit_callbacks(execute=False):  # no worker is rung
            job = photo_accept(owner=user, upload=SimpleUploadedFile("dish.png", picture("PNG", size=(800, 600))))
        return recipe_create(owner=user, photo=job.photo, job=job, recipe=a_recipe(title=title), model_id="tiny")

    return make


def files_in(media_root) -> list[str]:
    return sorted(path.name for path in media_root.rglob("*") if path.is_file())


def test_it_tells_me_who_i_am(alice_client, alice):
    r = alice_client.get("/api/v1/me/")

    assert r.status_code == 200
    assert r.json()["id"] == str(alice.id)
    assert r.json()["username"] == "alice"


def test_it_exports_all_my_data_and_nobody_elses(alice_client, alice, bob, library_of, media_root):
    mine = library_of(alice, "Alice's soup")
    library_of(bob, "Bob's stew")

    r = alice_client.get("/api/v1/me/export/")

    assert r.status_code == 200
    assert r["Content-Type"] == "application/zip"
    assert "attachment" in r["Content-Disposition"]
    zipped = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    recipes = json.loads(zipped.read("recipes.json"))
    assert [recipe["data"]["title"] for recipe in recipes] == ["Alice's soup"]
    assert json.loads(zipped.read("account.json"))["username"] == "alice"
    (photo,) = json.loads(zipped.read("photos.json"))
    assert photo["id"] == str(mine.photo_id)
    assert len(json.loads(zipped.read("jobs.json"))) == 1
    stored = sorted(name.removeprefix("photos/") for name in zipped.namelist() if name.startswith("photos/"))
    assert stored == sorted(name for name in files_in(media_root) if str(mine.photo_id) in name)
    assert zipped.read(f"photos/{photo['files']['image']}")[:3] == b"\xff\xd8\xff"  # the JPEG itself


def test_it_deletes_my_account_and_everything_of_it(
    alice_client, alice, bob, password, library_of, media_root, django_capture_on_commit_callbacks
):
    library_of(alice, "Alice's soup")
    library_of(bob, "Bob's stew")

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion commits
        r = alice_client.delete("/api/v1/me/", {"password": password}, format="json")

    assert r.status_code == 204
    assert not User.objects.filter(id=alice.id).exists()
    for model in (Photo, Job, Recipe):
        assert not model.objects.filter(owner_id=alice.id).exists()
        assert model.objects.filter(owner=bob).count() == 1
    assert files_in(media_root)  # bob's
    assert not [path for path in media_root.rglob("*.*") if str(alice.id) in path.as_posix()]


def test_it_keeps_my_account_when_the_password_is_wrong(alice_client, alice, library_of, media_root):
    library_of(alice, "Alice's soup")
    before = files_in(media_root)

    r = alice_client.delete("/api/v1/me/", {"password": "not-my-password"}, format="json")

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "password_incorrect"
    assert User.objects.filter(id=alice.id).exists()
    assert Recipe.objects.filter(owner=alice).count() == 1
    assert files_in(media_root) == before


def test_it_asks_for_the_password_to_delete(alice_client, alice):
    r = alice_client.delete("/api/v1/me/", {}, format="json")

    assert r.status_code == 400
    assert "password" in r.json()["error"]["details"]
    assert User.objects.filter(id=alice.id).exists()


@pytest.mark.parametrize("method, url", [("get", "/api/v1/me/"), ("delete", "/api/v1/me/"), ("get", "/api/v1/me/export/")])
def test_it_answers_401_to_strangers(anon_client, db, method, url):
    assert getattr(anon_client, method)(url).status_code == 401
