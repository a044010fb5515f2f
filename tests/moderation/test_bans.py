"""Banning a user from the admin: uploads and shares refused, shares hidden."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from recipes_api.moderation.bans import user_ban
from recipes_api.moderation.models import AuditEntry

# Also on PostgreSQL (make test-services): conditional constraints, annotations, filters.
pytestmark = pytest.mark.services

USERS = "/admin/accounts/user/"


def ban(client, user, reason, action="ban"):
    return client.post(USERS, {"action": action, "_selected_action": [str(user.pk)], "apply": "1", "reason": reason})


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


def test_a_moderator_bans_a_user_with_a_reason(moderator_client, alice):
    r = ban(moderator_client, alice, "spam shares")

    assert r.status_code == 302
    alice.refresh_from_db()
    assert alice.is_banned
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_name, entry.target_label, entry.reason) == ("ban", "dora", "alice", "spam shares")


def test_a_banned_user_cannot_upload(moderator, alice, alice_client, picture, media_root):
    user_ban(user=alice, reason="spam", actor=moderator)

    r = alice_client.post("/api/v1/photos/", {"image": SimpleUploadedFile("d.jpg", picture("JPEG"))}, format="multipart")

    assert r.status_code == 403
    assert r.json()["error"]["code"] == "user_banned"


def test_a_banned_user_cannot_share_and_their_shares_are_hidden(moderator, alice, alice_client, share):
    user_ban(user=alice, reason="spam", actor=moderator)

    r = alice_client.post(f"/api/v1/recipes/{share.recipe_id}/share/")

    assert r.status_code == 403
    assert r.json()["error"]["code"] == "user_banned"
    assert Client().get(f"/r/{share.token}/").status_code == 404


def test_unbanning_serves_their_shares_again(moderator_client, moderator, alice, share):
    user_ban(user=alice, reason="spam", actor=moderator)

    ban(moderator_client, alice, "appeal accepted", action="unban")

    assert Client().get(f"/r/{share.token}/").status_code == 200
    assert list(AuditEntry.objects.order_by("at").values_list("action", flat=True)) == ["ban", "unban"]


def test_staff_without_moderate_cannot_ban(onlooker, alice):
    client = Client()
    client.force_login(onlooker)

    ban(client, alice, "no")

    alice.refresh_from_db()
    assert not alice.is_banned


def test_audit_entries_cannot_be_changed_or_deleted(moderator, alice):
    user_ban(user=alice, reason="spam", actor=moderator)
    entry = AuditEntry.objects.get()

    entry.reason = "nothing happened"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.update(reason="x")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == "spam"


def test_not_even_a_superuser_edits_the_audit_in_the_admin(staff, moderator, alice):
    user_ban(user=alice, reason="spam", actor=moderator)
    entry = AuditEntry.objects.get()
    client = Client()
    client.force_login(staff)

    page = client.get(f"/admin/moderation/auditentry/{entry.pk}/change/")
    client.post(f"/admin/moderation/auditentry/{entry.pk}/change/", {"reason": "edited"})
    deleted = client.post(f"/admin/moderation/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200 and "spam" in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    assert deleted.status_code == 403
    assert AuditEntry.objects.get().reason == "spam"


def test_the_audit_survives_the_deletion_of_who_and_whom(moderator, alice):
    user_ban(user=alice, reason="spam", actor=moderator)

    alice.delete()
    moderator.delete()

    assert AuditEntry.objects.get().target_label == "alice"
