"""Reads for the moderation admin: the queue and the dashboard's counts."""

from datetime import timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from recipes_api.moderation.models import ModerationItem, Report
from recipes_api.photos.models import Job
from recipes_api.recipes.models import Recipe


def moderation_queue() -> QuerySet[ModerationItem]:
    """Every item, oldest first, with what a queue row shows loaded."""
    return (
        ModerationItem.objects.select_related("recipe", "photo", "owner")
        .prefetch_related("flags")
        .annotate(report_count=Count("reports", distinct=True))
        .order_by("created_at", "id")
    )


def moderation_dashboard() -> dict:
    """The admin index's counts: pending items, open reports (on items not
    yet decided), jobs failed in the last 24 hours, and recipes per model."""
    since = timezone.now() - timedelta(hours=24)
    return {
        "pending": ModerationItem.objects.filter(state=ModerationItem.State.PENDING).count(),
        "reports": Report.objects.filter(item__state=ModerationItem.State.PENDING).count(),
        "failed_jobs": Job.objects.filter(status=Job.Status.FAILED, finished_at__gte=since).count(),
        "models": list(Recipe.objects.values("model_id").annotate(recipes=Count("id")).order_by("-recipes")),
    }
