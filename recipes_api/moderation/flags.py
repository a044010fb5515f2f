"""Auto-flags: what puts a recipe (or a failed job's photo) in the queue
without anyone reporting it. Called once from `photos.services.job_succeed`
and once from `job_fail`, inside their transactions."""

import re

from django.conf import settings

from recipes_api.moderation.models import Flag, ModerationItem
from recipes_api.moderation.services import item_for_recipe

# Failure codes that mean the model's output could not be used.
INVALID_OUTPUT_CODES = {"recipe_invalid", "generation_incomplete"}


def moderation_flag_job(*, job, recipe=None) -> list[str]:
    """Flag what a finished job produced. Precondition: `job` is finished
    (its `error_code` set when it failed, its `tries` recorded); `recipe` is
    the recipe it saved, if any. Returns the flag kinds raised (none: the
    recipe stays out of the queue)."""
    kinds = _job_flags(job) | (_recipe_flags(recipe.data) if recipe is not None else {})
    if not kinds:
        return []
    if recipe is not None:
        item = item_for_recipe(recipe=recipe)
    else:
        item, _ = ModerationItem.objects.get_or_create(
            job=job, recipe=None, defaults={"owner_id": job.owner_id, "photo_id": job.photo_id}
        )
    for kind, detail in kinds.items():
        Flag.objects.get_or_create(item=item, kind=kind, defaults={"detail": detail[:200]})
    return sorted(kinds)


def _job_flags(job) -> dict[str, str]:
    kinds = {}
    if job.error_code == "not_food":
        kinds[Flag.Kind.NOT_FOOD] = "the model found no food"
    if job.error_code in INVALID_OUTPUT_CODES:
        kinds[Flag.Kind.INVALID_OUTPUT] = job.error_code
    if (job.tries or 0) > 1:
        kinds[Flag.Kind.RETRIED] = f"{job.tries} generations"
    return kinds


def _recipe_flags(data: dict) -> dict[str, str]:
    kinds = {}
    confidence = data.get("confidence")
    if confidence is not None and confidence < settings.MODERATION_MIN_CONFIDENCE:
        kinds[Flag.Kind.LOW_CONFIDENCE] = f"confidence {confidence:g}"
    if words := words_matched(data):
        kinds[Flag.Kind.WORD_LIST] = ", ".join(words)
    return kinds


def words_matched(data: dict) -> list[str]:
    """The MODERATION_WORDS found, as whole words in any case, in the
    recipe's title, description, ingredients, steps and tags."""
    if not settings.MODERATION_WORDS:
        return []
    text = " ".join(
        [data.get("title", ""), data.get("description", ""), *data.get("tags", [])]
        + [f"{i.get('name', '')} {i.get('note', '')}" for i in data.get("ingredients", [])]
        + [step.get("text", "") for step in data.get("steps", [])]
    ).lower()
    return [word for word in settings.MODERATION_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]
