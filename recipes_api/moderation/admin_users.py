"""Users in the admin, with ban and unban (each asking for a reason, audited,
and gated by `moderate`). Deleting a user from here deletes their photos'
files too (photos' post_delete hook), as DELETE /api/v1/me/ does."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from recipes_api.accounts.models import User
from recipes_api.moderation.admin_actions import ModerateMixin, with_reason
from recipes_api.moderation.bans import user_ban, user_unban


class BannedFilter(admin.SimpleListFilter):
    title = "banned"
    parameter_name = "banned"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(banned_at__isnull=self.value() == "no")
        return queryset


def _ban(modeladmin, request, queryset, reason):
    banned = sum(user_ban(user=user, reason=reason, actor=request.user) for user in queryset)
    return f"{banned} user(s) banned; their uploads and shares are refused and their shares hidden."


def _unban(modeladmin, request, queryset, reason):
    unbanned = sum(user_unban(user=user, reason=reason, actor=request.user) for user in queryset)
    return f"{unbanned} user(s) unbanned."


admin.site.unregister(User)  # accounts registered the plain UserAdmin


@admin.register(User)
class ModeratedUserAdmin(ModerateMixin, UserAdmin):
    list_display = [*UserAdmin.list_display, "banned_at"]
    list_filter = [*UserAdmin.list_filter, BannedFilter]
    readonly_fields = ["banned_at", "ban_reason"]
    fieldsets = [*UserAdmin.fieldsets, ("Ban", {"fields": ["banned_at", "ban_reason"]})]
    actions = [
        with_reason(name="ban", description="Ban the selected users", button="Ban", apply=_ban),
        with_reason(name="unban", description="Unban the selected users", button="Unban", apply=_unban),
    ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, with the confirmation page
        return actions
