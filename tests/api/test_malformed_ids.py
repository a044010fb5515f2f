"""A malformed id answers exactly as an unknown one: an id's shape tells a
client nothing, and its generated client needs one 404 to handle."""

import uuid

import pytest
from rest_framework.renderers import JSONRenderer

ROUTES = [
    ("get", "/api/v1/photos/{}/"),
    ("delete", "/api/v1/photos/{}/"),
    ("get", "/api/v1/jobs/{}/"),
    ("get", "/api/v1/jobs/{}/events/"),
    ("get", "/api/v1/recipes/{}/"),
    ("get", "/api/v1/recipes/{}/jsonld/"),
]
MALFORMED = ["not-a-uuid", "1", "%20", "00000000-0000-0000-0000-00000000000g"]


@pytest.mark.parametrize("method, route", ROUTES)
@pytest.mark.parametrize("malformed", MALFORMED)
def test_it_answers_a_malformed_id_as_an_unknown_one(alice_client, method, route, malformed):
    unknown = getattr(alice_client, method)(route.format(uuid.uuid4()))
    bad = getattr(alice_client, method)(route.format(malformed))

    assert unknown.status_code == bad.status_code == 404
    assert bad.content == unknown.content
    assert bad["Content-Type"] == unknown["Content-Type"]


@pytest.mark.parametrize("method, route", ROUTES)
def test_it_asks_an_anonymous_client_to_sign_in_whatever_the_id(anon_client, db, method, route):
    unknown = getattr(anon_client, method)(route.format(uuid.uuid4()))
    bad = getattr(anon_client, method)(route.format("not-a-uuid"))

    assert unknown.status_code == bad.status_code == 401
    assert bad.content == unknown.content
    assert bad["WWW-Authenticate"] == unknown["WWW-Authenticate"]


def test_it_answers_a_wrong_method_on_a_malformed_id_as_on_an_unknown_one(alice_client):
    unknown = alice_client.put(f"/api/v1/jobs/{uuid.uuid4()}/")
    bad = alice_client.put("/api/v1/jobs/not-a-uuid/")

    assert unknown.status_code == bad.status_code == 405
    assert bad.content == unknown.content


def test_it_answers_an_unknown_api_path_in_the_bytes_of_a_view(alice_client):
    r = alice_client.get("/api/v1/nothing-here/")

    assert r.status_code == 404
    assert r["Content-Type"] == "application/json"
    assert r.content == JSONRenderer().render(r.json())  # compact, as every view answers
    assert r.json()["error"]["code"] == "not_found"
