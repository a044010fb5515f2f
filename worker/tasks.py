"""Celery tasks. Each takes ids and hands the work to services in recipes_api
and to `worker.engine`; the Job row records every outcome."""

from __future__ import annotations

import logging

from recipes_api.photos.services import job_claim, job_fail, job_stage_set, job_succeed, photo_read
from vision import VisionError
from worker import engine
from worker.celery import app
from worker.dispatch import RECIPE_GENERATE

logger = logging.getLogger(__name__)


@app.task(name=RECIPE_GENERATE)
def recipe_generate(job_id: str) -> None:
    """Turn a queued job's photo into a recipe in the owner's library.

    A job that is not claimable (already taken, finished, unknown) is left
    alone, so a duplicate delivery from the broker does no harm.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        logger.info("job %s is not claimable; skipping", job_id)
        return
    try:
        photo = photo_read(photo=job.photo)
        job_stage_set(job=job, stage="generating")
        recipe, model_id = engine.recipe_from_photo(photo, mode=job.mode, language=job.language)
        job_stage_set(job=job, stage="saving")
        job_succeed(job=job, recipe=recipe, model_id=model_id)
    except VisionError as error:
        logger.warning("job %s failed: %s", job_id, error)
        job_fail(job=job, code=error.code, message=str(error))
    except Exception:
        logger.exception("job %s hit an unexpected error", job_id)
        job_fail(job=job, code="internal_error", message="The worker hit an unexpected error.")
