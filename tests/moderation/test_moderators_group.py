from django.contrib.auth.models import Group

from tests.moderation.fixtures import moderators_group


def test_the_migration_makes_a_moderators_group_with_moderate(db):
    group = moderators_group()

    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"moderate", "view_moderationitem", "view_auditentry", "view_job", "view_user"} <= codenames
    assert "delete_auditentry" not in codenames


def test_running_it_again_changes_nothing(db):
    moderators_group()
    moderators_group()

    assert Group.objects.filter(name="Moderators").count() == 1
