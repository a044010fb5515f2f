"""The Moderators group: `moderation.moderate` (act in the queue, ban, retry
jobs) and the view permissions the moderation admin pages need. Make someone
a moderator by making them staff and adding them to this group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("moderation", "moderate"),
    ("moderation", "view_moderationitem"),
    ("moderation", "view_report"),
    ("moderation", "view_flag"),
    ("moderation", "view_auditentry"),
    ("sharing", "view_share"),
    ("recipes", "view_recipe"),
    ("photos", "view_photo"),
    ("photos", "view_job"),
    ("accounts", "view_user"),
]


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations; this one needs them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("sharing", "0001_initial"),
        ("recipes", "0003_recipe_photos"),
        ("photos", "0006_job_photos_dedup_idempotency"),
        ("accounts", "0002_user_banned"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
