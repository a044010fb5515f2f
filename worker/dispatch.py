"""Sending work to the workers. The broker is only a doorbell: the Job row is
the source of truth, so a failed send leaves the job queued, never lost."""

import logging
from uuid import UUID

from worker.celery import app

logger = logging.getLogger(__name__)

RECIPE_GENERATE = "worker.tasks.recipe_generate"


def job_dispatch(job_id: UUID | str) -> bool:
    """Ring the workers for one queued job. Returns False when the broker is
    unreachable; the job then stays queued for the next sweep."""
    try:
        app.send_task(RECIPE_GENERATE, args=[str(job_id)])
    except Exception:  # kombu raises a zoo of transport errors
        logger.exception("could not send job %s to the broker; it stays queued", job_id)
        return False
    return True
