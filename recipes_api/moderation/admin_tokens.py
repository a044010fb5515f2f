"""simplejwt's token pages, without the tokens: a refresh token is a
credential, so the admin shows its id (jti) and last characters only."""

from django.contrib import admin
from rest_framework_simplejwt.token_blacklist.admin import BlacklistedTokenAdmin, OutstandingTokenAdmin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken


def token_masked(token: str) -> str:
    return f"…{token[-6:]}" if token else ""


class MaskedOutstandingTokenAdmin(OutstandingTokenAdmin):
    fields = ["jti", "user", "token_end", "created_at", "expires_at"]

    def get_readonly_fields(self, *args, **kwargs):
        return self.fields

    @admin.display(description="token")
    def token_end(self, obj):
        return token_masked(obj.token)

    def has_delete_permission(self, request, obj=None):
        # One at a time (for a user's deletion, which cascades here); never in bulk.
        return obj is not None and request.user.has_perm("token_blacklist.delete_outstandingtoken")


class MaskedBlacklistedTokenAdmin(BlacklistedTokenAdmin):
    fields = readonly_fields = ["token_jti", "token_user", "token_created_at", "token_expires_at", "blacklisted_at"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


for model, model_admin in [(OutstandingToken, MaskedOutstandingTokenAdmin), (BlacklistedToken, MaskedBlacklistedTokenAdmin)]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
