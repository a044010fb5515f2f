"""Every file of fixtures/bad_inputs/ sent as an upload, as its manifest says
(fixtures/make_bad_inputs.py makes both)."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, encode_multipart

from recipes_api.photos.models import Job, Photo

URL = "/api/v1/photos/"
CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "bad_inputs"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
BOUNDARY = MULTIPART_CONTENT.split("boundary=")[1]

pytestmark = pytest.mark.usefixtures("media_root")


def send(client, entry: dict):
    content = (CORPUS / entry["path"]).read_bytes()
    upload = SimpleUploadedFile(entry["name"], content, content_type=entry["content_type"])
    if entry["send"] == "raw":
        return client.generic("POST", URL, content, content_type=entry["content_type"])
    if entry["send"] == "wrong_field":
        return client.post(URL, {"file": upload}, format="multipart")
    if entry["send"] == "chunked":
        body = encode_multipart(BOUNDARY, {"image": upload})
        return client.generic(
            "POST", URL, body, content_type=MULTIPART_CONTENT, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
        )
    return client.post(URL, {"image": upload}, format="multipart")


def stored(media_root) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_the_corpus_covers_every_answer():
    assert len(MANIFEST["files"]) >= 25
    assert {entry["status"] for entry in MANIFEST["files"]} == {202, 400, 411, 413, 415, 422}
    assert sorted(path.name for path in CORPUS.iterdir() if path.name != "manifest.json") == sorted(
        entry["path"] for entry in MANIFEST["files"]
    )


@pytest.mark.parametrize("entry", MANIFEST["files"], ids=[entry["path"] for entry in MANIFEST["files"]])
def test_it_answers_each_bad_input_as_its_manifest_says(alice_client, settings, media_root, entry):
    for name, value in MANIFEST["settings"].items():
        setattr(settings, name, value)

    r = send(alice_client, entry)

    assert r.status_code == entry["status"], r.content
    if entry["status"] != 202:
        assert r.json()["error"]["code"] == entry["code"]
        assert not Photo.objects.exists() and not Job.objects.exists()
        assert stored(media_root) == []
        return
    photo = Photo.objects.get()
    assert {path.name for path in stored(media_root)} == {f"{photo.id}.jpg", f"{photo.id}.thumb.webp"}
    if entry["payload"]:
        for path in stored(media_root):
            assert entry["payload"].encode() not in path.read_bytes()
