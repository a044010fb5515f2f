"""Auto-flags: job_succeed and job_fail put recipes (and failed photos) in
the queue on their own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.moderation.models import ModerationItem
from recipes_api.photos import services

# Also on PostgreSQL (make test-services): conditional constraints, annotations, filters.
pytestmark = pytest.mark.services


def finish(job_owner, picture, a_recipe, *, tries=1, **recipe):
    job = services.photo_accept(owner=job_owner, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))
    claimed = services.job_claim(job_id=job.id)
    return services.job_succeed(job=claimed, recipe=a_recipe(**recipe), model_id="tiny", tries=tries)


def flags_of(recipe) -> list[str]:
    item = ModerationItem.objects.filter(recipe=recipe).first()
    return sorted(item.flags.values_list("kind", flat=True)) if item else []


def test_a_confident_clean_private_recipe_stays_out_of_the_queue(alice, picture, a_recipe, media_root):
    recipe = finish(alice, picture, a_recipe)

    assert not ModerationItem.objects.filter(recipe=recipe).exists()


def test_it_flags_low_confidence(alice, picture, a_recipe, media_root, settings):
    settings.MODERATION_MIN_CONFIDENCE = 0.5

    recipe = finish(alice, picture, a_recipe, confidence=0.2)

    assert flags_of(recipe) == ["low_confidence"]
    assert recipe.moderation.state == "pending"


def test_it_flags_an_output_that_needed_a_retry(alice, picture, a_recipe, media_root):
    recipe = finish(alice, picture, a_recipe, tries=2)

    assert flags_of(recipe) == ["retried"]


def test_it_flags_words_from_the_list(alice, picture, a_recipe, media_root, settings):
    settings.MODERATION_WORDS = ["poison"]

    recipe = finish(alice, picture, a_recipe, description="A dish with POISON in it.")
    clean = finish(alice, picture, a_recipe, description="Poisonous-free", title="Tart")

    assert flags_of(recipe) == ["word_list"]
    assert recipe.moderation.flags.get().detail == "poison"
    assert flags_of(clean) == []


def test_it_flags_a_photo_with_no_food(alice, picture, media_root):
    job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("cat.jpg", picture("JPEG")))
    claimed = services.job_claim(job_id=job.id)

    services.job_fail(job=claimed, code="not_food")

    item = ModerationItem.objects.get(job=job)
    assert item.recipe is None
    assert item.photo == job.photo
    assert list(item.flags.values_list("kind", flat=True)) == ["not_food"]


def test_it_flags_an_output_that_failed_validation(alice, picture, media_root):
    job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))

    services.job_fail(job=services.job_claim(job_id=job.id), code="recipe_invalid")

    assert ModerationItem.objects.get(job=job).flags.get().kind == "invalid_output"


def test_an_outage_is_not_a_flag(alice, picture, media_root):
    job = services.photo_accept(owner=alice, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))

    services.job_fail(job=services.job_claim(job_id=job.id), code="model_unavailable")

    assert not ModerationItem.objects.exists()
