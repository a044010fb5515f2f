"""Retrying a failed job from the admin, through the photos services."""

from django.db import transaction
from django.utils import timezone

from recipes_api.moderation.audit import audit_record
from recipes_api.moderation.models import AuditEntry
from recipes_api.photos.models import Job
from recipes_api.photos.services import job_send, requeued_fields


def job_retry(*, job: Job, actor, reason: str = "retried from the admin") -> bool:
    """Put a failed job back in the queue with its attempts cleared, and ring
    the workers once that commits (the sweep rings if the broker is down).
    Audited as `actor`'s. Returns False, changing nothing, unless the job had
    failed."""
    with transaction.atomic():
        retried = Job.objects.filter(id=job.id, status=Job.Status.FAILED).update(
            **requeued_fields(), attempts=0, tries=0, error_code="", error_message="", finished_at=None
        )
        if not retried:
            return False
        audit_record(actor=actor, action=AuditEntry.Action.RETRY_JOB, target=job, reason=reason)
        transaction.on_commit(lambda: job_send(job_id=job.id))
    job.refresh_from_db()
    return True
