from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "recipes_api.moderation"
    label = "moderation"
    verbose_name = "Moderation"
