"""Who reaches /admin/, throttled logins, CSRF, tokens, and deleting a user."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recipes_api.accounts.models import User
from recipes_api.photos.models import Photo
from tests.conftest import PASSWORD


def login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_a_plain_user_stays_out(alice):
    client = Client()

    r = login(client, "alice", PASSWORD)

    assert r.status_code == 200  # the form again, with an error
    assert client.get("/admin/").status_code == 302


def test_a_wrong_password_stays_out(moderator):
    client = Client()
    login(client, "dora", "wrong")

    assert client.get("/admin/").status_code == 302


def test_a_moderator_gets_in(moderator):
    client = Client()

    assert login(client, "dora", PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_logins_are_throttled(moderator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        login(client, "dora", "wrong")

    r = login(client, "dora", PASSWORD)

    assert r.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_needs_its_csrf_token(moderator):
    client = Client(enforce_csrf_checks=True)

    assert login(client, "dora", PASSWORD).status_code == 403


def test_the_admin_never_shows_a_refresh_token_in_full(staff, alice, anon_client):
    refresh = anon_client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json").json()["refresh"]
    client = Client()
    client.force_login(staff)
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    token = OutstandingToken.objects.get(user=alice)
    pages = [
        client.get("/admin/token_blacklist/outstandingtoken/").content.decode(),
        client.get(f"/admin/token_blacklist/outstandingtoken/{token.pk}/change/").content.decode(),
    ]

    assert all(refresh not in page and refresh[:40] not in page for page in pages)
    assert refresh[-6:] in pages[1]


def test_a_superuser_deletes_a_user_with_their_files(
    staff, alice, anon_client, make_recipe, media_root, django_capture_on_commit_callbacks
):
    anon_client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")  # a refresh token
    recipe = make_recipe(alice)
    from recipes_api.sharing.services import share_create

    share_create(owner=alice, recipe_id=recipe.id)
    assert any(media_root.rglob("*.jpg"))
    client = Client()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion commits
        r = client.post(f"/admin/accounts/user/{alice.pk}/delete/", {"post": "yes"})

    assert r.status_code == 302
    assert not User.objects.filter(username="alice").exists()
    assert not Photo.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]
