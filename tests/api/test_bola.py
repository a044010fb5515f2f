"""Broken object-level authorisation, tried everywhere: for every route and
method the schema offers (read from the schema, so a new route is tried the
day it lands), bob gets 404 on alice's objects and an anonymous client 401."""

import io
import re
import zipfile

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from recipes_api.photos.models import Job
from recipes_api.recipes.services import recipe_create
from tests.api.uploads import photos_upload

# Routes anyone may call, each with the reason. Nothing else is public.
PUBLIC = {
    "/api/v1/auth/register/": "creating an account needs no account",
    "/api/v1/auth/token/": "signing in is how a client gets a token",
    "/api/v1/auth/token/refresh/": "the refresh token in the body is the credential",
    "/api/schema/": "the contract is public",
    "/api/docs/": "the docs UI of that contract",
    "/api/v1/photos/{photo_id}/{variant}/": "the URL's signature is the capability (an <img> sends no token)",
}
BODY_METHODS = {"post", "put", "patch"}


@pytest.fixture
def openapi(anon_client, db) -> dict:
    return anon_client.get("/api/schema/", {"format": "json"}).json()


@pytest.fixture
def alices(alice, alice_client, media_root, dish, a_recipe) -> dict:
    """Path parameter name -> one of alice's objects' ids. A route that takes
    an id not in here fails the matrix: add the object here."""
    accepted = photos_upload(alice_client, dish)
    assert accepted.status_code == 202, accepted.content
    job = Job.objects.get(id=accepted.json()["id"])
    photo = job.photo
    recipe = recipe_create(owner=alice, photo=photo, job=job, recipe=a_recipe(), model_id="tiny-qwen-vl")
    return {"photo_id": photo.id, "job_id": job.id, "recipe_id": recipe.id}


def operations(openapi) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, methods in openapi["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"} and path not in PUBLIC
    ]


def url_for(path: str, ids: dict) -> str:
    def fill(match):
        name = match.group(1)
        if name not in ids:
            pytest.fail(f"{path} takes {{{name}}}: add one of alice's objects for it to `alices` in {__file__}")
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", fill, path)


def call(client, method: str, url: str):
    if method in BODY_METHODS:
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


def test_it_answers_404_to_bob_for_every_route_on_alices_objects(bob_client, alices, openapi):
    tried = []
    for method, path in operations(openapi):
        if "{" not in path:
            continue
        r = call(bob_client, method, url_for(path, alices))
        assert r.status_code == 404, (method, path, r.status_code, r.content)
        assert r.json()["error"]["code"] == "not_found", (method, path)
        tried.append((method, path))
    assert len(tried) >= 5


def test_it_keeps_alices_objects_out_of_bobs_lists(bob_client, alices, openapi):
    for method, path in operations(openapi):
        if method == "get" and "{" not in path:
            body = readable(bob_client.get(path))
            for object_id in alices.values():
                assert str(object_id) not in body, (path, object_id)


def test_it_leaves_alices_objects_as_they_were_after_bob_tried(alice_client, bob_client, alices, openapi):
    for method, path in operations(openapi):
        if "{" in path and method != "get":
            call(bob_client, method, url_for(path, alices))

    for path in ("/api/v1/photos/{photo_id}/", "/api/v1/jobs/{job_id}/", "/api/v1/recipes/{recipe_id}/"):
        assert alice_client.get(url_for(path, alices)).status_code == 200, path


def test_it_answers_401_to_an_anonymous_client_everywhere_but_the_public_routes(anon_client, alices, openapi):
    tried = 0
    for method, path in operations(openapi):
        r = call(anon_client, method, url_for(path, alices))
        assert r.status_code == 401, (method, path, r.status_code, r.content)
        assert r["WWW-Authenticate"].startswith("Bearer"), (method, path)
        tried += 1
    assert tried >= 8


def test_it_marks_as_public_exactly_what_the_schema_opens_to_anyone(openapi):
    anonymous = {
        path
        for path, methods in openapi["paths"].items()
        for operation in methods.values()
        if {} in operation.get("security", [{}])
    }
    assert anonymous <= set(PUBLIC), "a route open to anyone: add it to PUBLIC with the reason, or require a token"


def test_it_tries_every_api_route_the_urls_serve(openapi):
    served = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", "/" + route) for route in api_routes(get_resolver(), "")}

    untried = served - set(openapi["paths"]) - set(PUBLIC)
    assert not untried, f"routes the schema hides and PUBLIC does not explain: {untried}"


def readable(response) -> str:
    """The answer's text; a zip's (the export) members' text."""
    if not response.streaming:
        return response.content.decode()
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return "".join(archive.read(name).decode(errors="replace") for name in archive.namelist())


def api_routes(resolver, prefix: str):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if not route.startswith("api/") and not "api/".startswith(route):
            continue
        if isinstance(entry, URLResolver):
            yield from api_routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route
