from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "recipes_api.sharing"
    label = "sharing"
    verbose_name = "Sharing"
