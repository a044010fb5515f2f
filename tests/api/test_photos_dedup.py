"""Per-user de-duplication: the same picture(s) again get the stored photos
and their latest job with 200, and no second model run unless asked for
(`reprocess`). Users never share photos or learn of each other's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos import services
from recipes_api.photos.models import Job, Photo
from tests.api.uploads import photos_upload as upload, stored_files


pytestmark = pytest.mark.usefixtures("media_root")


def ids(photos: list[dict]) -> list[str]:
    return [photo["id"] for photo in photos]


@pytest.fixture
def rung(monkeypatch) -> list:
    """The job ids the workers were rung for."""
    calls = []
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: calls.append(job_id) or True)
    return calls


def test_it_answers_a_reupload_with_the_existing_job_and_200(
    alice_client, dish, rung, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(alice_client, dish)
        again = upload(alice_client, dish)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ids(again.json()["photos"]) == ids(first.json()["photos"])
    assert again["Location"] == first["Location"]
    assert Job.objects.count() == Photo.objects.count() == 1
    assert len(stored_files(media_root)) == 2
    assert len(rung) == 1  # no second model run


def test_it_knows_the_same_picture_in_another_file_format(alice_client, picture):
    # PNG and lossless WebP of the same pixels normalise to the same working copy.
    first = upload(alice_client, picture("PNG", color="olive"))
    again = upload(alice_client, picture("WEBP", color="olive", lossless=True))

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


def test_it_knows_the_same_photos_in_the_same_order(alice_client, picture):
    page1, page2 = picture("JPEG", color="olive"), picture("JPEG", color="navy")
    first = upload(alice_client, page1, page2)

    assert upload(alice_client, page1, page2).json()["id"] == first.json()["id"]
    swapped = upload(alice_client, page2, page1)
    assert swapped.status_code == 202
    assert ids(swapped.json()["photos"]) == list(reversed(ids(first.json()["photos"])))
    assert Photo.objects.count() == 2  # stored once, read twice


def test_it_makes_a_new_job_for_a_subset_of_known_photos(alice_client, picture):
    page1, page2 = picture("JPEG", color="olive"), picture("JPEG", color="navy")
    first = upload(alice_client, page1, page2)

    r = upload(alice_client, page1)

    assert r.status_code == 202
    assert ids(r.json()["photos"]) == ids(first.json()["photos"])[:1]
    assert Photo.objects.count() == 2


def test_it_makes_a_new_job_for_another_mode_or_language(alice_client, dish):
    first = upload(alice_client, dish)

    other_mode = upload(alice_client, dish, mode="recipe_card")
    other_language = upload(alice_client, dish, language="fr")

    assert other_mode.status_code == other_language.status_code == 202
    assert len({first.json()["id"], other_mode.json()["id"], other_language.json()["id"]}) == 3
    assert Photo.objects.count() == 1


def test_it_reprocesses_when_asked(alice_client, dish, rung, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(alice_client, dish)
        r = upload(alice_client, dish, reprocess="true")

    assert r.status_code == 202
    assert r.json()["id"] != first.json()["id"]
    assert ids(r.json()["photos"]) == ids(first.json()["photos"])
    assert Photo.objects.count() == 1
    assert len(rung) == 2


def test_it_answers_with_the_latest_job_after_a_reprocess(alice_client, dish):
    upload(alice_client, dish)
    latest = upload(alice_client, dish, reprocess="true")

    r = upload(alice_client, dish)

    assert r.status_code == 200
    assert r.json()["id"] == latest.json()["id"]


def test_it_returns_a_failed_latest_job_with_200(alice_client, dish):
    first = upload(alice_client, dish)
    services.job_fail(job=Job.objects.get(), code="timed_out")

    r = upload(alice_client, dish)

    assert r.status_code == 200
    assert r.json()["id"] == first.json()["id"]
    assert r.json()["status"] == "failed"
    assert r.json()["error"]["code"] == "timed_out"


def test_it_makes_a_new_job_when_the_old_one_was_deleted(alice_client, dish):
    first = upload(alice_client, dish)
    Job.objects.all().delete()

    r = upload(alice_client, dish)

    assert r.status_code == 202
    assert ids(r.json()["photos"]) == ids(first.json()["photos"])
    assert Photo.objects.count() == 1


def test_it_answers_a_reupload_even_at_the_in_flight_cap(alice_client, dish, picture, settings):
    settings.JOB_MAX_IN_FLIGHT = 1
    first = upload(alice_client, dish)
    assert upload(alice_client, picture("JPEG", color="navy")).status_code == 429

    r = upload(alice_client, dish)

    assert r.status_code == 200
    assert r.json()["id"] == first.json()["id"]
    assert upload(alice_client, dish, reprocess="true").status_code == 429


def test_it_never_shares_photos_between_users(alice_client, bob_client, alice, bob, dish, media_root):
    alices = upload(alice_client, dish)

    bobs = upload(bob_client, dish)

    assert bobs.status_code == 202  # nothing tells bob that alice has this photo
    assert bobs.json()["id"] != alices.json()["id"]
    assert ids(bobs.json()["photos"]) != ids(alices.json()["photos"])
    assert Photo.objects.filter(owner=alice).count() == Photo.objects.filter(owner=bob).count() == 1
    assert len(stored_files(media_root)) == 4



def test_it_takes_the_photo_a_racing_upload_stored_first(alice, dish, media_root, monkeypatch):
    """The same picture stored by another request of alice's between this
    upload's look-up and its transaction: this one reuses that row and
    deletes the files it wrote."""
    found_or_new = services._photos_found_or_new

    def racing(owner, images):
        photos = found_or_new(owner, images)  # nothing stored yet: a new photo
        monkeypatch.setattr(services, "_photos_found_or_new", found_or_new)
        services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", dish))
        return photos

    monkeypatch.setattr(services, "_photos_found_or_new", racing)

    accepted = services.photos_accept(owner=alice, uploads=[SimpleUploadedFile("dish.jpg", dish)])

    assert not accepted.created
    photo = Photo.objects.get()
    assert accepted.job.photo == photo
    assert sorted(stored_files(media_root)) == sorted(
        [media_root / photo.image.name, media_root / photo.thumbnail.name]
    )
