"""A cursor the client mangled is a malformed request, on every list."""

import base64

import pytest

LISTS = ["/api/v1/jobs/", "/api/v1/recipes/"]
CURSORS = [base64.b64encode(b"\xff\xfe").decode(), base64.b64encode(b"p=not-a-date").decode(), base64.b64encode(b"o=-1").decode()]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("cursor", CURSORS)
def test_it_answers_400_to_a_mangled_cursor(alice_client, url, cursor):
    r = alice_client.get(url, {"cursor": cursor})

    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid"
    assert "cursor" in r.json()["error"]["details"]
