"""Admin actions that ask for a reason first (an intermediate page), and the
`moderate` permission that gates every acting action."""

from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from recipes_api import errors
from recipes_api.moderation.forms import DecisionForm

MODERATE = "moderation.moderate"


class ModerateMixin:
    """Makes `allowed_permissions = ["moderate"]` mean `moderation.moderate`:
    staff without it see the pages but not the actions."""

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm(MODERATE)


def with_reason(*, name: str, description: str, button: str, apply):
    """An admin action named `name` that shows a reason form for the selected
    rows and, once a reason is given, calls `apply(modeladmin, request,
    queryset, reason) -> message`."""

    def action(modeladmin, request, queryset):
        if not modeladmin.has_moderate_permission(request):
            raise PermissionDenied
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                message = apply(modeladmin, request, queryset, form.cleaned_data["reason"])
            except errors.DomainError as error:
                form.add_error("reason", error.message)
            else:
                modeladmin.message_user(request, message)
                return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "form": form,
            "action": name,
            "button": button,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "moderation/reason_form.html", context)

    action.__name__ = name
    action.short_description = description
    action.allowed_permissions = ["moderate"]
    return action
