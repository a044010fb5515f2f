"""POST /api/v1/reports/ and the share page's report form."""

import re

import pytest
from django.test import Client

from recipes_api.moderation.models import Report

# Also on PostgreSQL (make test-services): conditional constraints, annotations, filters.
pytestmark = pytest.mark.services


def report(client, share, reason="offensive", note=""):
    return client.post("/api/v1/reports/", {"share": share.token, "reason": reason, "note": note}, format="json")


def test_it_reports_a_shared_recipe(bob_client, share):
    r = report(bob_client, share, note="rude words")

    assert r.status_code == 201
    assert r.json()["reason"] == "offensive"
    assert Report.objects.get().item.recipe == share.recipe


def test_it_collapses_repeated_reports_by_the_same_user(bob_client, share):
    report(bob_client, share)

    r = report(bob_client, share, reason="spam")

    assert r.status_code == 200
    assert Report.objects.count() == 1
    assert Report.objects.get().reason == "spam"


def test_it_counts_each_reporter(alice_client, bob_client, share):
    report(alice_client, share)
    report(bob_client, share)

    assert Report.objects.count() == 2


def test_it_refuses_a_revoked_share(bob_client, alice_client, share):
    alice_client.delete(f"/api/v1/recipes/{share.recipe_id}/share/")

    r = report(bob_client, share)

    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_it_wants_a_known_reason(bob_client, share):
    r = report(bob_client, share, reason="boring")

    assert r.status_code == 400
    assert "reason" in r.json()["error"]["details"]


def test_it_wants_a_signed_in_user(anon_client, share):
    assert report(anon_client, share).status_code == 401


@pytest.fixture
def two_reports_an_hour(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**SimpleRateThrottle.THROTTLE_RATES, "report": "2/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def test_it_throttles_reports(bob_client, share, two_reports_an_hour):
    statuses = [report(bob_client, share).status_code for _ in range(3)]

    assert statuses == [201, 200, 429]


def test_the_page_form_is_throttled_too(share, two_reports_an_hour):
    visitor = Client()
    statuses = [visitor.post(f"/r/{share.token}/report/", {"reason": "spam"}).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


def test_the_page_has_a_csrf_protected_report_form(share):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/r/{share.token}/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    forged = browser.post(f"/r/{share.token}/report/", {"reason": "spam"})
    sent = browser.post(f"/r/{share.token}/report/", {"reason": "spam", "note": "ads", "csrfmiddlewaretoken": csrf})

    assert forged.status_code == 403
    assert sent.status_code == 302
    assert "Thank you" in browser.get(sent["Location"]).content.decode()
    assert Report.objects.get().note == "ads"


def test_the_page_collapses_an_anonymous_visitors_repeats(share):
    visitor = Client()
    visitor.post(f"/r/{share.token}/report/", {"reason": "spam"})
    visitor.post(f"/r/{share.token}/report/", {"reason": "offensive"})

    assert Report.objects.count() == 1
    assert Report.objects.get().reason == "offensive"


def test_the_page_refuses_a_bad_reason(share):
    r = Client().post(f"/r/{share.token}/report/", {"reason": "boring"})

    assert r.status_code == 400
    assert not Report.objects.exists()
