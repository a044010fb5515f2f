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
    job_fail,
    job_photos_read,
    job_release,
    job_send,
    job_stage_set,
    job_succeed,
    job_unsend,
    jobs_claim,
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
    """Turn a queued job's photos into a recipe in the owner's library, and
    with it, as one batch, up to `engine.batch_size()` - 1 other queued jobs.

    A job that is not claimable (already taken, by another bell's batch
    perhaps; finished; unknown) is left alone, so a bell for work already
    taken does no harm. Each job of the batch ends on its own: its recipe, or
    its own error. A worker that is shutting down takes nothing new: the job
    is left for the sweep to ring again, for a worker that stays.
    """
    if worker_stopping.is_set():
        db_retry(job_unsend, job_id=job_id)
        return
    jobs = db_retry(jobs_claim, job_id=job_id, limit=engine.batch_size())
    if not jobs:
        logger.info("job %s is not claimable; skipping", job_id)
        return
    if len(jobs) > 1:
        logger.info("job %s: claimed with %d more queued jobs, to run as one batch", job_id, len(jobs) - 1)
    with JobGuard(jobs) as guard:
        try:
            _generate(jobs, guard)
        except ClaimLost as error:  # every job of the batch was taken over
            for job in jobs:
                if not guard.holds(job):
                    _end_attempt(job, error)
        except Exception as error:  # the whole batch stopped: each job still running ends the same way
            for job in guard.running():
                _end_attempt(job, error)


def _generate(jobs: list[Job], guard: JobGuard) -> None:
    batch: list[tuple[Job, engine.RecipeRequest]] = []
    for job in jobs:
        try:
            photos = job_photos_read(job=job)  # all of them, in order; the first is the cover
            if not db_retry(job_stage_set, job=job, stage=Job.Stage.GENERATING):
                raise ClaimLost()
        except Exception as error:
            _end_attempt(job, error)
            guard.done(job)
            continue
        request = engine.RecipeRequest(photos, mode=job.mode, language=job.language, on_token=guard.on_token_for(job))
        batch.append((job, request))
    if not batch:
        return
    started = time.monotonic()
    results = engine.recipes_from_photos([request for _, request in batch])
    generate_ms = round((time.monotonic() - started) * 1000)
    guard.check()
    for (job, _), result in zip(batch, results, strict=True):
        try:
            _save(job, result, guard=guard, generate_ms=generate_ms)
        except Exception as error:
            _end_attempt(job, error)
        guard.done(job)


def _save(job: Job, result: engine.RecipeRead | VisionError, *, guard: JobGuard, generate_ms: int) -> None:
    """Settle one job of the batch with its own result."""
    if isinstance(result, Exception):
        raise result
    if not guard.holds(job) or not db_retry(job_stage_set, job=job, stage=Job.Stage.SAVING):
        raise ClaimLost()
    saved = db_retry(
        job_succeed,
        job=job,
        recipe=result.recipe,
        model_id=result.model_id,
        generate_ms=generate_ms,
        tries=result.tries,
    )
    if saved is None:
        raise ClaimLost()


def _end_attempt(job: Job, error: Exception) -> None:
    """Record how an attempt at `job` ended without a recipe: given back,
    retried later, or failed with a code the owner can be shown."""
    if isinstance(error, ClaimLost):
        logger.warning("job %s: lease taken over; dropping this attempt's work", job.id)
    elif isinstance(error, WorkerStopping):
        # No new bell from here: this very worker would take it while it
        # drains. The sweep of the next worker to start rings instead.
        logger.info("job %s: worker stopping; giving the job back to the queue", job.id)
        db_retry(job_release, job=job)
    elif isinstance(error, (SoftTimeLimit, SoftTimeLimitExceeded)):
        logger.warning("job %s: ran past its soft time limit", job.id)
        db_retry(job_fail, job=job, code="timed_out")
    elif isinstance(error, TRANSIENT):
        _retry_later(job, error)
    elif isinstance(error, VisionError):
        logger.warning("job %s failed: %s", job.id, error)
        db_retry(job_fail, job=job, code=error.code, tries=error.tries)
    elif isinstance(error, FileNotFoundError):
        # Its photo was deleted after the claim: the job row went with it,
        # so failing it writes nothing, and the attempt ends here.
        logger.info("job %s: its photo is gone; dropping this attempt", job.id)
        db_retry(job_fail, job=job, code="photo_missing")
    else:
        logger.error("job %s hit an unexpected error", job.id, exc_info=error)
        db_retry(job_fail, job=job, code="internal_error")


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
