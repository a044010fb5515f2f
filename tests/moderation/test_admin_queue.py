"""The moderation queue in the admin: listing, filters, decisions with a
reason, the `moderate` permission, and the audit they leave."""

import re

import pytest
from django.test import Client

from recipes_api.moderation.models import AuditEntry, Flag, ModerationItem
from recipes_api.moderation.services import report_file

# Also on PostgreSQL (make test-services): conditional constraints, annotations, filters.
pytestmark = pytest.mark.services

QUEUE = "/admin/moderation/moderationitem/"


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def items(alice, bob, make_recipe, alice_client, api):
    """Three shared recipes, oldest first: alice's soup and salad, bob's tart."""
    made = []
    for owner, title, color in [(alice, "Soup", "red"), (alice, "Salad", "green"), (bob, "Tart", "blue")]:
        recipe = make_recipe(owner, color=color, title=title, language="fr" if title == "Tart" else "en")
        api(owner).post(f"/api/v1/recipes/{recipe.id}/share/")
        made.append(ModerationItem.objects.get(recipe=recipe))
    return made


def decide(client, action, items, reason="", apply=True):
    data = {"action": action, "_selected_action": [str(item.pk) for item in items]}
    if apply:
        data |= {"apply": "1", "reason": reason}
    return client.post(QUEUE, data)


def test_it_lists_the_queue_oldest_first_with_thumbnails(moderator_client, items):
    html = moderator_client.get(QUEUE).content.decode()

    assert html.index("Soup") < html.index("Salad") < html.index("Tart")
    assert html.count('class="moderation-thumb"') == 3
    assert "tomatoes" in html  # the ingredients column


def test_its_thumbnails_load(moderator_client, items):
    html = moderator_client.get(QUEUE).content.decode()
    src = re.search(r'<img src="([^"]+)" class="moderation-thumb"', html).group(1).replace("&amp;", "&")

    r = Client().get(src)

    assert r.status_code == 200
    assert r["Content-Type"] == "image/webp"


@pytest.mark.parametrize(
    "query, titles",
    [
        ("state__exact=pending", {"Soup", "Salad", "Tart"}),
        ("flag=low_confidence", {"Salad"}),
        ("reported=yes", {"Tart"}),
        ("recipe__language=fr", {"Tart"}),
        ("q=salad", {"Salad"}),
    ],
)
def test_it_filters_and_searches(moderator_client, items, bob, query, titles):
    Flag.objects.create(item=items[1], kind="low_confidence")
    report_file(item=items[2], reason="spam", reporter=bob, reporter_key=str(bob.pk))

    html = moderator_client.get(f"{QUEUE}?{query}").content.decode()

    assert {t for t in ("Soup", "Salad", "Tart") if f">{t}<" in html} == titles


def test_an_action_asks_for_a_reason_first(moderator_client, items):
    r = decide(moderator_client, "hide", items[:1], apply=False)

    assert r.status_code == 200
    assert 'name="reason"' in r.content.decode()
    assert ModerationItem.objects.get(pk=items[0].pk).state == "pending"


def test_an_empty_reason_decides_nothing(moderator_client, items):
    r = decide(moderator_client, "hide", items[:1], reason="  ")

    assert r.status_code == 200
    assert ModerationItem.objects.get(pk=items[0].pk).state == "pending"
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("action, state", [("approve", "approved"), ("hide", "hidden"), ("reject", "rejected")])
def test_it_decides_in_bulk_and_audits_each(moderator_client, moderator, items, action, state):
    r = decide(moderator_client, action, items[:2], reason="checked by hand")

    assert r.status_code == 302
    assert {i.state for i in ModerationItem.objects.filter(pk__in=[items[0].pk, items[1].pk])} == {state}
    entries = AuditEntry.objects.filter(action=action)
    assert entries.count() == 2
    assert {(e.actor_name, e.reason, e.target_type) for e in entries} == {("dora", "checked by hand", "moderationitem")}
    assert ModerationItem.objects.get(pk=items[2].pk).state == "pending"


def test_hiding_takes_the_page_down_at_once(moderator_client, items):
    token = items[0].recipe.shares.get().token
    assert Client().get(f"/r/{token}/").status_code == 200

    decide(moderator_client, "hide", items[:1], reason="spam")

    assert Client().get(f"/r/{token}/").status_code == 404


def test_staff_without_moderate_can_look_but_not_act(onlooker, items):
    client = Client()
    client.force_login(onlooker)

    page = client.get(QUEUE)
    r = decide(client, "hide", items[:1], reason="no")

    assert page.status_code == 200
    assert 'value="hide"' not in page.content.decode()
    assert ModerationItem.objects.get(pk=items[0].pk).state == "pending"
    assert not AuditEntry.objects.exists()
    assert r.status_code in (200, 302, 403)


def test_the_item_page_shows_flags_reports_and_decisions(moderator_client, items, bob):
    report_file(item=items[0], reason="spam", note="it is an ad", reporter=bob, reporter_key=str(bob.pk))
    decide(moderator_client, "approve", items[:1], reason="fine after all")

    html = moderator_client.get(f"{QUEUE}{items[0].pk}/change/").content.decode()

    assert "it is an ad" in html
    assert "fine after all" in html


def test_bulk_delete_is_not_offered(moderator_client, staff, items):
    client = Client()
    client.force_login(staff)
    pages = ["moderation/report", "moderation/auditentry", "accounts/user", "photos/job", "photos/photo", "recipes/recipe"]
    for url in [QUEUE] + [f"/admin/{page}/" for page in pages]:
        assert 'value="delete_selected"' not in client.get(url).content.decode(), url


def test_an_item_cannot_be_deleted_past_the_audit(staff, items):
    client = Client()
    client.force_login(staff)

    r = client.post(f"{QUEUE}{items[0].pk}/delete/", {"post": "yes"})

    assert r.status_code == 403
    assert ModerationItem.objects.filter(pk=items[0].pk).exists()


def test_the_dashboard_counts_what_waits(moderator_client, items, bob):
    report_file(item=items[2], reason="spam", reporter=bob, reporter_key=str(bob.pk))

    html = moderator_client.get("/admin/").content.decode()

    assert 'id="pending-count">3<' in html
    assert 'id="report-count">1<' in html
    assert 'id="failed-job-count">0<' in html
    assert "<td>tiny</td><td>3</td>" in html
