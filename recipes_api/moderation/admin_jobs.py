"""Jobs in the admin: failures with their error code, and a retry action
(requeued through the photos services, audited, gated by `moderate`)."""

from django.contrib import admin

from recipes_api.moderation.admin_actions import ModerateMixin
from recipes_api.moderation.jobs import job_retry
from recipes_api.photos.admin import JobAdmin
from recipes_api.photos.models import Job

admin.site.unregister(Job)


@admin.register(Job)
class ModeratedJobAdmin(ModerateMixin, JobAdmin):
    list_display = ["id", "owner", "status", "error_code", "stage", "mode", "attempts", "tries", "created_at", "finished_at"]
    list_filter = ["status", "error_code", "mode"]
    actions = ["retry"]

    @admin.action(description="Retry the selected failed jobs", permissions=["moderate"])
    def retry(self, request, queryset):
        retried = sum(job_retry(job=job, actor=request.user) for job in queryset.filter(status=Job.Status.FAILED))
        self.message_user(request, f"{retried} failed job(s) queued again.")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
