"""Sending work to the workers. The broker is only a doorbell: the Job row is
the source of truth, so a failed send leaves the job queued, never lost, and
the sweep (`recipes_api.photos.sweep`) rings again."""

import logging
from uuid import UUID

from worker.celery import app

logger = logging.getLogger(__name__)

RECIPE_GENERATE = "worker.tasks.recipe_generate"


def job_dispatch(job_id: UUID | str, *, countdown: float | None = None) -> bool:
    """Ring the workers for one queued job, now or after `countdown` seconds.

    Returns False when the broker is unreachable. Publishing gives up after
    the short retry policy in the settings, so an upload never hangs on a
    broker that is down.
    """
    try:
        app.send_task(RECIPE_GENERATE, args=[str(job_id)], countdown=countdown)
    except Exception:  # kombu raises a zoo of transport errors
        logger.warning("could not send job %s to the broker; it stays queued for the sweep", job_id, exc_info=True)
        return False
    return True
