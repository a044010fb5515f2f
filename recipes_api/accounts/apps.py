from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "recipes_api.accounts"
    label = "accounts"
    verbose_name = "Accounts"
