"""The API as a generated client sees it: one content type per body, error
codes an app can branch on, every error documented, docs that work offline."""

from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

REGISTER, TOKEN, REFRESH = "/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/auth/token/refresh/"


@pytest.fixture
def openapi(anon_client, db) -> dict:
    return anon_client.get("/api/schema/", {"format": "json"}).json()


@pytest.mark.parametrize("url", [REGISTER, TOKEN, REFRESH])
def test_it_takes_auth_bodies_as_json_only(anon_client, db, url, openapi):
    r = anon_client.post(url, {"username": "carol", "password": "tomato-basil-77"}, format="multipart")

    assert r.status_code == 415
    assert r.json()["error"]["code"] == "unsupported_media_type"
    assert list(openapi["paths"][url]["post"]["requestBody"]["content"]) == ["application/json"]


def test_it_refuses_a_password_of_spaces(anon_client, db):
    r = anon_client.post(REGISTER, {"username": "carol", "password": " " * 10}, format="json")

    assert r.status_code == 400
    assert "password" in r.json()["error"]["details"]


def test_it_tells_an_expired_access_token_from_a_forged_one(api, alice):
    expired = AccessToken.for_user(alice)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    forged = str(AccessToken.for_user(alice))[:-4] + "AAAA"

    for token, code in ((str(expired), "token_expired"), (forged, "token_not_valid")):
        client = api()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        r = client.get("/api/v1/recipes/")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == code
        assert r["WWW-Authenticate"].startswith("Bearer")


def test_it_tells_an_expired_refresh_token_from_a_bad_one(anon_client, alice):
    expired = RefreshToken.for_user(alice)
    expired.set_exp(lifetime=-timedelta(seconds=1))

    r = anon_client.post(REFRESH, {"refresh": str(expired)}, format="json")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "refresh_expired"

    r = anon_client.post(REFRESH, {"refresh": "not-a-token"}, format="json")
    assert r.json()["error"]["code"] == "token_not_valid"


def test_it_documents_the_error_shape_on_every_error_answer(openapi):
    error = {"$ref": "#/components/schemas/Error"}
    documented = 0
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == error, (method, path, status)
                    assert response["description"], (method, path, status)
                    documented += 1
    assert documented > 20


def test_it_documents_the_errors_each_route_can_answer(openapi):
    paths = openapi["paths"]

    def statuses(path, method="get"):
        return set(paths[path][method]["responses"])

    assert {"401", "404"} <= statuses("/api/v1/recipes/{recipe_id}/")
    assert "400" in statuses("/api/v1/recipes/{recipe_id}/")  # servings, units
    assert "404" not in statuses("/api/v1/recipes/")
    assert "401" not in statuses(REGISTER, "post")
    assert {"400", "429"} <= statuses(REGISTER, "post")
    assert {"400", "401", "429"} <= statuses(TOKEN, "post")


def test_it_documents_bearer_authentication(openapi):
    assert openapi["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert openapi["paths"]["/api/v1/recipes/"]["get"]["security"] == [{"jwtAuth": []}]


def test_it_serves_the_docs_ui_from_its_own_static_files(anon_client, db):
    page = anon_client.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_it_documents_the_upload_answers_location(openapi):
    responses = openapi["paths"]["/api/v1/photos/"]["post"]["responses"]

    for status in ("200", "202"):
        assert responses[status]["headers"]["Location"]["schema"] == {"type": "string", "format": "uri"}
        assert responses[status]["headers"]["Location"]["required"] is True


def test_it_documents_the_headers_that_come_with_401_and_429(openapi):
    seen = {"401": 0, "429": 0}
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status, header in (("401", "WWW-Authenticate"), ("429", "Retry-After")):
                if status in operation["responses"]:
                    assert header in operation["responses"][status]["headers"], (method, path)
                    seen[status] += 1
    assert seen["401"] > 5 and seen["429"] >= 4


def test_it_sends_www_authenticate_with_every_401(anon_client, alice):
    wrong_password = anon_client.post(TOKEN, {"username": "alice", "password": "not-hers-at-all"}, format="json")
    no_token = anon_client.get("/api/v1/me/")

    for r in (wrong_password, no_token):
        assert r.status_code == 401
        assert r["WWW-Authenticate"].startswith("Bearer")


def test_it_documents_the_password_that_deleting_an_account_takes(openapi):
    operation = openapi["paths"]["/api/v1/me/"]["delete"]

    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/PasswordConfirmRequest"}
    assert "400" in operation["responses"]


def test_it_documents_a_taken_username(anon_client, alice, openapi):
    r = anon_client.post(REGISTER, {"username": "alice", "password": "tomato-basil-77"}, format="json")

    assert r.status_code == 409
    assert "409" in openapi["paths"][REGISTER]["post"]["responses"]


def test_it_serves_an_account_without_email_as_its_schema_says(anon_client, db, openapi):
    r = anon_client.post(REGISTER, {"username": "carol", "password": "tomato-basil-77"}, format="json")

    assert r.json()["email"] == ""
    assert "format" not in openapi["components"]["schemas"]["User"]["properties"]["email"]
