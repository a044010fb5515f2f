"""POST/DELETE /api/v1/recipes/{id}/share/ and the public page /r/<token>/."""

import json
import re

import pytest
from django.test import Client
from recipe_scrapers import scrape_html

from recipes_api.moderation.models import ModerationItem

# Also on PostgreSQL (make test-services): conditional constraints, annotations, filters.
pytestmark = pytest.mark.services


def share_url(recipe) -> str:
    return f"/api/v1/recipes/{recipe.id}/share/"


def page_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_it_shares_a_recipe_as_a_public_page(alice_client, recipe):
    r = alice_client.post(share_url(recipe))

    assert r.status_code == 201
    assert r.json()["url"].startswith("http://testserver/r/")
    page = Client().get(page_path(r.json()["url"]))
    assert page.status_code == 200
    assert "Shakshuka" in page.content.decode()


def test_it_gives_the_same_live_link_when_shared_twice(alice_client, recipe):
    first = alice_client.post(share_url(recipe))
    second = alice_client.post(share_url(recipe))

    assert second.status_code == 200
    assert second.json()["url"] == first.json()["url"]


def test_it_makes_an_unguessable_token(alice_client, recipe):
    token = alice_client.post(share_url(recipe)).json()["token"]

    assert len(token) >= 32
    assert str(recipe.id) not in token


def test_it_carries_the_same_json_ld_as_the_api(alice_client, recipe):
    url = alice_client.post(share_url(recipe)).json()["url"]
    html = Client().get(page_path(url)).content.decode()

    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    document = json.loads(script)
    private = alice_client.get(f"/api/v1/recipes/{recipe.id}/jsonld/").json()
    assert {k: v for k, v in document.items() if k != "image"} == {k: v for k, v in private.items() if k != "image"}
    assert document["image"] == [f"{url}photo/image/"]


def test_recipe_scrapers_reads_the_page(alice_client, recipe):
    url = alice_client.post(share_url(recipe)).json()["url"]
    html = Client().get(page_path(url)).content.decode()

    scraped = scrape_html(html, org_url=url, supported_only=False)

    assert scraped.title() == "Shakshuka"
    assert scraped.ingredients() == ["4 piece eggs", "400 g tomatoes, chopped"]
    assert scraped.instructions_list() == [
        "Simmer the tomatoes with the spices.",
        "Crack in the eggs and cover until set.",
    ]


def test_it_serves_the_cover_photo_through_the_share(alice_client, recipe):
    url = alice_client.post(share_url(recipe)).json()["url"]

    thumb = Client().get(page_path(url) + "photo/thumbnail/")
    image = Client().get(page_path(url) + "photo/image/")

    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/webp"
    assert image.status_code == 200 and b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    assert Client().get(page_path(url) + "photo/original/").status_code == 404


def test_it_revokes_the_link(alice_client, recipe):
    url = alice_client.post(share_url(recipe)).json()["url"]

    r = alice_client.delete(share_url(recipe))

    assert r.status_code == 204
    assert Client().get(page_path(url)).status_code == 404
    assert Client().get(page_path(url) + "photo/thumbnail/").status_code == 404
    assert alice_client.delete(share_url(recipe)).status_code == 404


def test_a_new_share_after_revoking_gets_a_new_link(alice_client, recipe):
    first = alice_client.post(share_url(recipe)).json()["url"]
    alice_client.delete(share_url(recipe))

    second = alice_client.post(share_url(recipe))

    assert second.status_code == 201
    assert second.json()["url"] != first
    assert Client().get(page_path(first)).status_code == 404


def test_it_hides_another_users_recipe(bob_client, alice_client, recipe):
    assert bob_client.post(share_url(recipe)).status_code == 404
    alice_client.post(share_url(recipe))
    assert bob_client.delete(share_url(recipe)).status_code == 404
    assert bob_client.post(share_url(recipe)).json()["error"]["code"] == "not_found"


def test_it_wants_a_signed_in_owner(anon_client, recipe):
    assert anon_client.post(share_url(recipe)).status_code == 401


@pytest.mark.parametrize("state", ["hidden", "rejected"])
def test_a_hidden_or_rejected_recipe_answers_404_at_once(alice_client, recipe, state):
    url = alice_client.post(share_url(recipe)).json()["url"]

    ModerationItem.objects.filter(recipe=recipe).update(state=state)

    assert Client().get(page_path(url)).status_code == 404
    assert Client().get(page_path(url) + "photo/image/").status_code == 404
    r = alice_client.post(share_url(recipe))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "recipe_hidden"


def test_sharing_puts_the_recipe_in_the_queue_as_pending(alice_client, recipe):
    alice_client.post(share_url(recipe))

    item = ModerationItem.objects.get(recipe=recipe)
    assert item.state == "pending"
    assert item.shared


def test_an_unknown_token_answers_404(db):
    assert Client().get("/r/not-a-token/").status_code == 404
