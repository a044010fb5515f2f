"""The moderation admin: the queue, reports, shares and the audit log; the
user, job and token pages it replaces are in the admin_* modules beside it.

Nothing here is changed by editing a form: decisions are actions that ask
for a reason and are audited; the built-in bulk delete is off everywhere."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join

from recipes_api.moderation import admin_content, admin_jobs, admin_tokens, admin_users  # noqa: F401 (they register)
from recipes_api.moderation.admin_actions import ModerateMixin, with_reason
from recipes_api.moderation.models import AuditEntry, Flag, ModerationItem, Report
from recipes_api.moderation.selectors import moderation_queue
from recipes_api.moderation.services import items_decide
from recipes_api.photos.files import photo_file_url
from recipes_api.sharing.models import Share

admin.site.index_template = "moderation/admin_index.html"
admin.site.site_header = "Platepilot administration"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen, never edited or deleted here, one by one or in bulk: a moderator
    hides or rejects instead, which is audited. The delete permission itself
    stays, so that deleting a user (which cascades to these rows) works from
    the user's page for whoever may delete users."""

    def has_add_permission(self, request):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _decision(action: str, verb: str):
    def apply(modeladmin, request, queryset, reason):
        count = items_decide(items=queryset, action=action, reason=reason, actor=request.user)
        return f"{count} item(s) {verb}."

    return with_reason(name=action, description=f"{action.capitalize()} the selected items", button=action.capitalize(), apply=apply)


class FlagFilter(admin.SimpleListFilter):
    title = "flag"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return Flag.Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(flags__kind=self.value()) if self.value() else queryset


class ReportedFilter(admin.SimpleListFilter):
    title = "reported"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    can_delete = False
    fields = readonly_fields = ["kind", "detail", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class ReportInline(FlagInline):
    model = Report
    fields = readonly_fields = ["reason", "note", "reporter", "created_at"]


@admin.register(ModerationItem)
class ModerationItemAdmin(ModerateMixin, ReadOnlyAdmin):
    list_display = ["thumbnail", "title", "ingredients", "flag_list", "state", "reports", "language", "owner", "shared", "created_at"]
    list_display_links = ["title"]
    list_filter = ["state", FlagFilter, ReportedFilter, ("recipe__language", admin.AllValuesFieldListFilter), "shared"]
    search_fields = ["recipe__title", "owner__username", "reason", "reports__note"]
    actions = [_decision("approve", "approved"), _decision("hide", "hidden"), _decision("reject", "rejected")]
    inlines = [FlagInline, ReportInline]
    fields = readonly_fields = ["thumbnail", "recipe", "owner", "state", "reason", "decided_by", "decided_at", "shared", "job", "created_at", "audit"]
    list_per_page = 50

    def get_queryset(self, request):
        return moderation_queue()

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset, True

    @admin.display(description="photo")
    def thumbnail(self, item):
        url = photo_file_url(photo=item.photo, variant="thumbnail") if item.photo else None
        if not url:
            return "-"
        return format_html('<img src="{}" class="moderation-thumb" width="96" height="72" style="object-fit:cover" alt="">', url)

    @admin.display(description="title", ordering="recipe__title")
    def title(self, item):
        return item.recipe.title if item.recipe else f"(failed job {item.job_id})"

    @admin.display(description="ingredients")
    def ingredients(self, item):
        names = [i["name"] for i in item.recipe.data.get("ingredients", [])] if item.recipe else []
        return ", ".join(names[:8]) + (" …" if len(names) > 8 else "")

    @admin.display(description="flags")
    def flag_list(self, item):
        return ", ".join(flag.kind for flag in item.flags.all()) or "-"

    @admin.display(description="reports", ordering="report_count")
    def reports(self, item):
        return item.report_count

    @admin.display(description="language", ordering="recipe__language")
    def language(self, item):
        return item.recipe.language if item.recipe else ""

    @admin.display(description="decisions")
    def audit(self, item):
        entries = AuditEntry.objects.filter(target_type="moderationitem", target_id=str(item.pk))
        rows = format_html_join("", "<li>{} {} by {}: {}</li>", ((e.at, e.action, e.actor_name, e.reason) for e in entries))
        return format_html("<ul>{}</ul>", rows) if entries else "-"


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["item", "reason", "note", "reporter", "created_at"]
    list_select_related = ["item__recipe", "reporter"]
    list_filter = ["reason"]
    search_fields = ["note", "item__recipe__title"]
    ordering = ["created_at"]


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["recipe", "created_at", "revoked_at"]
    list_select_related = ["recipe"]
    exclude = ["token"]  # the link itself is the owner's to hand out

    def get_readonly_fields(self, request, obj=None):
        return ["recipe", "created_at", "revoked_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Never editable, not even by a superuser: the model refuses too."""

    list_display = ["at", "actor_name", "action", "target_type", "target_label", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_label", "target_id", "reason"]
    date_hierarchy = "at"
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
