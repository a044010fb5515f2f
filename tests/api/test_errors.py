"""Every error, whatever raised it, has the one shape:
{"error": {"code", "message", "details"}}."""

import logging

from django.test import RequestFactory
from rest_framework import exceptions

from recipes_api import errors
from recipes_api.photos import api as photos_api


def assert_error(r, status: int, code: str):
    assert r.status_code == status
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_it_shapes_an_unknown_api_path(anon_client, db):
    assert_error(anon_client.get("/api/v1/nothing-here/"), 404, "not_found")


def test_it_shapes_a_malformed_id_in_the_path(alice_client):
    assert_error(alice_client.get("/api/v1/jobs/not-a-uuid/"), 404, "not_found")


def test_it_leaves_html_404s_outside_the_api(client, db):
    r = client.get("/nothing-here/")

    assert r.status_code == 404
    assert not r["Content-Type"].startswith("application/json")


def test_it_shapes_a_wrong_method(alice_client):
    assert_error(alice_client.delete("/api/v1/jobs/"), 405, "method_not_allowed")


def test_it_shapes_a_missing_token(anon_client, db):
    r = anon_client.get("/api/v1/recipes/")

    assert_error(r, 401, "not_authenticated")
    assert r["WWW-Authenticate"] == 'Bearer realm="api"'


def test_it_shapes_field_errors(anon_client, db):
    error = assert_error(anon_client.post("/api/v1/auth/register/", {}, format="json"), 400, "invalid")

    assert error["details"]["username"] == ["This field is required."]


def test_it_shapes_malformed_json(anon_client, db):
    r = anon_client.post("/api/v1/auth/register/", "{not json", content_type="application/json")

    assert_error(r, 400, "parse_error")


def test_it_shapes_an_unsupported_content_type(alice_client):
    r = alice_client.post("/api/v1/auth/register/", "<user/>", content_type="application/xml")

    assert_error(r, 415, "unsupported_media_type")


def test_it_answers_413_for_a_body_over_djangos_limit(anon_client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    r = anon_client.post("/api/v1/auth/register/", {"username": "x" * 2000, "password": "p"}, format="json")

    assert_error(r, 413, "request_too_large")


def test_it_hides_unexpected_errors(alice_client, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("the secret database password is hunter2")

    monkeypatch.setattr(photos_api, "job_list", explode)

    with caplog.at_level(logging.ERROR, logger="recipes_api.errors"):
        r = alice_client.get("/api/v1/jobs/")

    error = assert_error(r, 500, "internal_error")
    assert "hunter2" not in r.content.decode()
    assert "Traceback" not in r.content.decode()
    assert error["details"] is None
    assert "hunter2" in caplog.text  # the log keeps what the client must not see


def test_it_shapes_plain_django_500s_on_api_paths():
    request = RequestFactory().get("/api/v1/jobs/")

    r = errors.server_error(request)

    assert r.status_code == 500
    assert b'"internal_error"' in r.content


def test_it_shapes_throttling_with_retry_after():
    r = errors.exception_handler(exceptions.Throttled(wait=30), {})

    assert r.status_code == 429
    assert r.data["error"]["code"] == "throttled"
    assert r.data["error"]["details"] == {"retry_after": 30}
    assert r["Retry-After"] == "30"


def test_it_renders_domain_errors_as_raised():
    error = errors.Conflict("Already there.", code="username_taken", details={"field": "username"})

    r = errors.exception_handler(error, {})

    assert r.status_code == 409
    assert r.data["error"] == {
        "code": "username_taken",
        "message": "Already there.",
        "details": {"field": "username"},
    }
