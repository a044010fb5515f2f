"""`Idempotency-Key` on uploads: a retry with the same key and request gets
the first answer again, never a second job; the same key with another
request is a 422; keys are per user and expire after IDEMPOTENCY_KEY_TTL."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from django.utils import timezone

from recipes_api.photos import services, sweep
from recipes_api.photos.models import IdempotencyKey, Job, Photo
from tests.api.uploads import URL, unsigned, photos_upload as upload, stored_files


pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture
def other_dish(picture) -> bytes:
    return picture("JPEG", color="navy")


def test_it_answers_a_retry_with_the_first_answer(alice_client, dish, other_dish, media_root):
    first = upload(alice_client, dish, other_dish, key="k-1")

    retry = upload(alice_client, dish, other_dish, key="k-1")

    assert (first.status_code, retry.status_code) == (202, 202)
    assert unsigned(retry.json()) == unsigned(first.json())
    assert retry["Location"] == first["Location"]
    assert Job.objects.count() == 1 and Photo.objects.count() == 2
    assert len(stored_files(media_root)) == 4


def test_it_does_not_decode_a_retry(alice_client, dish, monkeypatch):
    upload(alice_client, dish, key="k-1")
    monkeypatch.setattr(services, "image_normalize", lambda *a, **k: pytest.fail("a retry was decoded again"))

    assert upload(alice_client, dish, key="k-1").status_code == 202


def test_it_replays_a_200_as_a_200(alice_client, dish):
    first = upload(alice_client, dish)
    again = upload(alice_client, dish, key="k-2")

    retry = upload(alice_client, dish, key="k-2")

    assert again.status_code == retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]


def test_it_sees_the_same_request_through_a_new_multipart_boundary(alice_client, dish):
    first = upload(alice_client, dish, key="k-3", mode="recipe_card")
    image = SimpleUploadedFile("renamed-on-retry.jpg", dish, content_type="image/jpeg")
    body = encode_multipart("another-boundary-0123", {"mode": "recipe_card", "image": image})

    retry = alice_client.generic(
        "POST", URL, body, content_type="multipart/form-data; boundary=another-boundary-0123",
        headers={"Idempotency-Key": "k-3"},
    )

    assert retry.status_code == 202
    assert retry.json()["id"] == first.json()["id"]
    assert Job.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"images": "other"},
        {"images": "more"},
        {"images": "swapped"},
        {"mode": "recipe_card"},
        {"language": "fr"},
        {"reprocess": "true"},
    ],
)
def test_it_refuses_the_same_key_for_another_request_with_422(alice_client, dish, other_dish, change, media_root):
    upload(alice_client, dish, other_dish, key="k-4")
    images = {"other": [dish, dish], "more": [dish, other_dish, dish], "swapped": [other_dish, dish]}.get(
        change.pop("images", None), [dish, other_dish]
    )

    r = upload(alice_client, *images, key="k-4", **change)

    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert Job.objects.count() == 1 and Photo.objects.count() == 2
    assert len(stored_files(media_root)) == 4


def test_it_keeps_each_users_keys_apart(alice_client, bob_client, dish, other_dish):
    alices = upload(alice_client, dish, key="shared-key")

    bobs = upload(bob_client, other_dish, key="shared-key")

    assert bobs.status_code == 202  # not a 422: bob never used this key
    assert bobs.json()["id"] != alices.json()["id"]
    assert upload(bob_client, dish, key="shared-key").status_code == 422


def test_it_does_not_use_up_a_key_on_a_refused_upload(alice_client, dish):
    refused = upload(alice_client, b"not a picture", key="k-5")

    r = upload(alice_client, dish, key="k-5")

    assert refused.status_code == 415
    assert r.status_code == 202


@pytest.mark.parametrize("key", ["x" * 256, "", "caf\u00e9", "tab\there"])
def test_it_refuses_a_bad_key_with_400(alice_client, dish, key, media_root):
    r = upload(alice_client, dish, key=key)

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_idempotency_key"
    assert r.json()["error"]["details"] == {"max_length": 255}
    assert not Job.objects.exists() and stored_files(media_root) == []


def test_it_takes_a_key_of_the_longest_length(alice_client, dish):
    assert upload(alice_client, dish, key="x" * 255).status_code == 202


def test_it_forgets_a_key_after_its_ttl(alice_client, dish, other_dish, settings):
    settings.IDEMPOTENCY_KEY_TTL = 60
    first = upload(alice_client, dish, key="k-6")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    r = upload(alice_client, other_dish, key="k-6")

    assert r.status_code == 202  # a new upload, not a 422
    assert r.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.get().job_id == Job.objects.get(id=r.json()["id"]).id


def test_the_sweep_purges_expired_keys(alice_client, dish, other_dish, settings):
    settings.IDEMPOTENCY_KEY_TTL = 60
    upload(alice_client, dish, key="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    upload(alice_client, other_dish, key="new")

    assert sweep.jobs_sweep().keys_purged == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_it_documents_the_key_and_the_answers(anon_client, db):
    schema = anon_client.get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/photos/"]["post"]

    assert "Idempotency-Key" in [p["name"] for p in post["parameters"] if p["in"] == "header"]
    assert {"200", "202", "422"} <= set(post["responses"])
    form = schema["components"]["schemas"]["PhotoUploadRequest"]["properties"]
    assert form["image"]["type"] == "array"
    assert "reprocess" in form
