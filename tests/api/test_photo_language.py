"""The language a recipe is asked for: the upload's `language` field, or
else the phone's Accept-Language header; with neither, the model follows
the photo. The job carries the choice to the worker."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from worker.tasks import recipe_generate

URL = "/api/v1/photos/"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "photos"

pytestmark = pytest.mark.usefixtures("media_root")


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr("recipes_api.photos.services.job_dispatch", lambda job_id, countdown=None: True)


@pytest.fixture
def upload(alice_client, picture):
    def send(accept_language=None, **fields):
        image = SimpleUploadedFile("dish.jpg", picture("JPEG"), content_type="image/jpeg")
        headers = {"Accept-Language": accept_language} if accept_language is not None else {}
        r = alice_client.post(URL, {"image": image, **fields}, format="multipart", headers=headers)
        assert r.status_code == 202, r.content
        return r.json()["language"]

    return send


def test_it_takes_the_language_field_over_the_header(upload):
    assert upload(language="my", accept_language="en-US,en;q=0.9") == "my"


def test_it_takes_the_phones_preferred_language_without_a_field(upload):
    assert upload(accept_language="bn-BD;q=0.8, ur;q=0.9, en;q=0.5") == "ur"


def test_it_keeps_the_case_a_tag_is_written_in(upload):
    assert upload(accept_language="ZH-HANT-TW") == "zh-Hant-TW"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("*, zh;q=0.5", "zh"),  # any language is no language
        ("x-klingon, my;q=0.3", "my"),  # not a BCP 47 tag the recipe can carry
        ("en;q=0, bn;q=0.1", "bn"),  # q=0: not acceptable
        ("en;;;q=oops", ""),  # malformed: ignored whole
    ],
)
def test_it_passes_over_what_is_not_a_language(upload, header, language):
    assert upload(accept_language=header) == language


def test_it_lets_the_model_choose_without_field_or_header(upload):
    assert upload() == ""


def test_it_still_refuses_a_malformed_language_field(alice_client, picture):
    image = SimpleUploadedFile("dish.jpg", picture("JPEG"), content_type="image/jpeg")
    r = alice_client.post(URL, {"image": image, "language": "not a tag"}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid"


def test_it_stores_the_recipe_in_the_language_the_phone_asked_for(alice_client, settings):
    # Through the real tiny model, in process (see tests/worker/test_tasks.py).
    settings.JOB_HEARTBEAT_SECONDS = 3600
    card = SimpleUploadedFile("card.png", (FIXTURES / "recipe_card.png").read_bytes(), content_type="image/png")
    job = alice_client.post(URL, {"image": card}, format="multipart", headers={"Accept-Language": "zh"}).json()

    recipe_generate(job["id"])

    job = alice_client.get(f"/api/v1/jobs/{job['id']}/").json()
    assert (job["status"], job["tries"]) == ("succeeded", 1), job["error"]
    assert alice_client.get(f"/api/v1/recipes/{job['recipe']}/").json()["language"] == "zh"
