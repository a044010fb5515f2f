import pytest

# No object has this id; fixed, not random, so that every pytest-xdist
# process collects the same test ids.
SOME_ID = "3f2b9c1e-6a4d-4e8f-9b7a-2c5d8e1f0a63"
ROUTES = [
    ("post", "/api/v1/photos/"),
    ("get", f"/api/v1/photos/{SOME_ID}/"),
    ("delete", f"/api/v1/photos/{SOME_ID}/"),
    ("get", "/api/v1/jobs/"),
    ("get", f"/api/v1/jobs/{SOME_ID}/"),
    ("get", "/api/v1/recipes/"),
    ("get", f"/api/v1/recipes/{SOME_ID}/"),
]


@pytest.mark.parametrize("method, url", ROUTES)
def test_it_answers_401_without_a_token(anon_client, db, method, url):
    r = getattr(anon_client, method)(url)

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"
    assert r["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method, url", ROUTES)
def test_it_answers_401_for_a_forged_token(api, db, method, url):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")

    r = getattr(client, method)(url)

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_not_valid"
    assert "WWW-Authenticate" in r
