"""The batching contract every backend keeps: one result per request, in
order, a request's own failure in its slot."""

import pytest
from PIL import Image

from vision import GenerationIncomplete, GenerationOptions, GenerationRequest, generate_each


class AlternatingBackend:
    """Fails every request whose mode is "recipe_card", as a budget would."""

    model_id = "alternating"
    batch_size = 1

    def generate(self, images, options):
        if options.mode == "recipe_card":
            raise GenerationIncomplete("out of budget")
        return f"recipe of {len(images)} photos"


def test_it_answers_each_request_in_order_with_failures_in_their_slots():
    photo = Image.new("RGB", (8, 8))
    requests = [
        GenerationRequest([photo], GenerationOptions(mode="dish_photo")),
        GenerationRequest([photo], GenerationOptions(mode="recipe_card")),
        GenerationRequest([photo, photo], GenerationOptions(mode="dish_photo")),
    ]

    results = generate_each(AlternatingBackend(), requests)

    assert results[0] == "recipe of 1 photos"
    assert isinstance(results[1], GenerationIncomplete)
    assert results[2] == "recipe of 2 photos"


def test_it_raises_what_concerns_the_whole_call():
    class Broken(AlternatingBackend):
        def generate(self, images, options):
            raise RuntimeError("CUDA out of memory")

    with pytest.raises(RuntimeError):
        generate_each(Broken(), [GenerationRequest([], GenerationOptions())])


def test_it_reads_the_batch_size_from_the_settings(settings):
    from worker.engine import vision_config

    settings.VISION_BATCH_SIZE = 4

    assert vision_config().batch_size == 4
