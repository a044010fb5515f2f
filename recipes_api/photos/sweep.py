"""The sweep: the database is the source of truth and the broker only a
doorbell, so this periodic pass makes sure no job waits for a bell that was
never rung or was lost.

One pass fails jobs that ran out of attempts, requeues running jobs whose
lease expired (their worker died or lost the database), and rings again for
queued jobs that were never sent or waited too long; it also deletes
expired upload Idempotency-Keys and recipe tombstones older than
RECIPE_TOMBSTONE_DAYS. Each step is a
conditional write, so any number of workers may sweep at once: a job is
requeued, failed or re-sent by exactly one of them.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from recipes_api.photos.idempotency import idempotency_keys_purge
from recipes_api.photos.models import Job, WorkerHeartbeat
from recipes_api.photos.services import job_send, jobs_exhaust, requeued_fields
from recipes_api.recipes.services import recipe_tombstones_purge

logger = logging.getLogger(__name__)

# Bounds one pass, so a huge backlog is worked through over several.
SWEEP_BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    exhausted: int
    requeued: int
    sent: int
    unsent: int
    keys_purged: int = 0
    tombstones_purged: int = 0


def jobs_sweep() -> SweepResult:
    """Run one sweep pass; see the module docstring. Returns what it did."""
    exhausted = jobs_exhaust()
    requeued = _requeue_expired()
    sent = unsent = 0
    for job_id, dispatched_at in _due_for_a_bell():
        if not _take_bell(job_id, dispatched_at):
            continue  # another sweeper took it
        if job_send(job_id=job_id):
            sent += 1
        else:
            unsent += 1
            Job.objects.filter(id=job_id, status=Job.Status.QUEUED).update(dispatched_at=None)
    keys_purged = idempotency_keys_purge()
    tombstones_purged = recipe_tombstones_purge()
    result = SweepResult(
        exhausted=exhausted,
        requeued=requeued,
        sent=sent,
        unsent=unsent,
        keys_purged=keys_purged,
        tombstones_purged=tombstones_purged,
    )
    if exhausted or requeued or sent or unsent or keys_purged or tombstones_purged:
        logger.info("sweep: %s", result)
    return result


def _requeue_expired() -> int:
    expired = Job.objects.filter(
        status=Job.Status.RUNNING, lease_expires_at__lt=timezone.now(), attempts__lt=settings.JOB_MAX_ATTEMPTS
    )
    return expired.update(**requeued_fields())


def _due_for_a_bell() -> list[tuple]:
    stale = timezone.now() - timedelta(seconds=settings.JOB_REDISPATCH_SECONDS)
    due = Job.objects.filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale), status=Job.Status.QUEUED)
    return list(due.order_by("created_at").values_list("id", "dispatched_at")[:SWEEP_BATCH])


def _take_bell(job_id, dispatched_at) -> bool:
    """Mark the job as being rung, unless another sweeper got there first."""
    seen = Q(dispatched_at__isnull=True) if dispatched_at is None else Q(dispatched_at=dispatched_at)
    return bool(
        Job.objects.filter(seen, id=job_id, status=Job.Status.QUEUED).update(dispatched_at=timezone.now())
    )


def worker_report(*, name: str, model_id: str, started_at) -> None:
    """Record that worker `name` is alive with its model loaded (for /readyz)."""
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"model_id": model_id, "started_at": started_at, "seen_at": timezone.now()}
    )
