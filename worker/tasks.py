"""Celery tasks. Each takes ids and hands the work to services in recipes_api
and to `worker.engine`; the Job row records every outcome.

Failures are sorted in two: transient ones (the database or broker blinked,
the inference server was busy) give the job back to the queue for another
attempt after a backoff; permanent ones fail the job with their code. The
owner only ever sees the fixed message for that code.
"""

from __future__ import annotations

import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from recipes_api.photos.models import Job
from recipes_api.photos.services import (
    job_claim,
    job_fail,
    job_photos_read,
    job_release,
    job_send,
    job_stage_set,
    job_succeed,
    job_unsend,
    jobs_exhaust,
)
from vision import VisionError
from worker import engine
from worker.celery import app
from worker.dispatch import RECIPE_GENERATE
from worker.faults import TRANSIENT, db_retry
from worker.guard import ClaimLost, JobGuard, SoftTimeLimit, WorkerStopping, worker_stopping

logger = logging.getLogger(__name__)


@app.task(name=RECIPE_GENERATE)
def recipe_generate(job_id: str) -> None:
    """Turn a queued job's photo into a recipe in the owner's library.

    A job that is not claimable (already taken, finished, unknown) is left
    alone, so a duplicate delivery from the broker does no harm. A worker
    that is shutting down takes nothing new: the job is left for the sweep
    to ring again, for a worker that stays.
    """
    if worker_stopping.is_set():
        db_retry(job_unsend, job_id=job_id)
        return
    job = db_retry(job_claim, job_id=job_id)
    if job is None:
        logger.info("job %s is not claimable; skipping", job_id)
        return
    with JobGuard(job) as guard:
        try:
            _generate(job, guard)
        except ClaimLost:
            logger.warning("job %s: lease taken over; dropping this attempt's work", job_id)
        except WorkerStopping:
            # No new bell from here: this very worker would take it while it
            # drains. The sweep of the next worker to start rings instead.
            logger.info("job %s: worker stopping; giving the job back to the queue", job_id)
            db_retry(job_release, job=job)
        except (SoftTimeLimit, SoftTimeLimitExceeded):
            logger.warning("job %s: ran past its soft time limit", job_id)
            db_retry(job_fail, job=job, code="timed_out")
        except TRANSIENT as error:
            _retry_later(job, error)
        except VisionError as error:
            logger.warning("job %s failed: %s", job_id, error)
            db_retry(job_fail, job=job, code=error.code, tries=error.tries)
        except FileNotFoundError:
            # Its photo was deleted after the claim: the job row went with it,
            # so failing it writes nothing, and the attempt ends here.
            logger.info("job %s: its photo is gone; dropping this attempt", job_id)
            db_retry(job_fail, job=job, code="photo_missing")
        except Exception:
            logger.exception("job %s hit an unexpected error", job_id)
            db_retry(job_fail, job=job, code="internal_error")


def _generate(job: Job, guard: JobGuard) -> None:
    photos = job_photos_read(job=job)  # all of them, in order; the first is the cover
    if not db_retry(job_stage_set, job=job, stage=Job.Stage.GENERATING):
        raise ClaimLost()
    started = time.monotonic()
    read = engine.recipe_from_photos(photos, mode=job.mode, language=job.language, on_token=guard.on_token)
    generate_ms = round((time.monotonic() - started) * 1000)
    guard.check()
    if not db_retry(job_stage_set, job=job, stage=Job.Stage.SAVING):
        raise ClaimLost()
    saved = db_retry(
        job_succeed, job=job, recipe=read.recipe, model_id=read.model_id, generate_ms=generate_ms, tries=read.tries
    )
    if saved is None:
        raise ClaimLost()


def _retry_later(job: Job, error: BaseException) -> None:
    """Give a job that met a transient failure back to the queue, and ring for
    it after a backoff that doubles with each attempt. If the database itself
    is gone, the lease runs out and the sweep requeues the job instead."""
    logger.warning("job %s: transient failure (%s); retrying later", job.id, type(error).__name__, exc_info=error)
    try:
        if not db_retry(job_release, job=job):
            return
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            jobs_exhaust(job_ids=[job.id])
            return
        backoff = settings.JOB_RETRY_BACKOFF_SECONDS * 2 ** (job.attempts - 1)
        job_send(job_id=job.id, countdown=min(backoff, 300))
    except TRANSIENT:
        logger.warning("job %s: could not requeue now; the sweep will once its lease runs out", job.id)
