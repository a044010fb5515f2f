"""The worker's door into vision: the photos of one recipe go in together, and
the one rule every backend's answer passes before it can reach a library."""

from pathlib import Path

import pytest

from vision import NotFood
from worker.engine import recipe_check_food, recipe_from_photos, vision_config


@pytest.fixture
def photos_dir():
    return Path(__file__).resolve().parents[2] / "fixtures" / "photos"


def test_it_refuses_an_answer_that_says_there_is_no_food(a_recipe):
    with pytest.raises(NotFood):
        recipe_check_food(a_recipe(is_food=False), mode="auto")


def test_it_refuses_a_recipe_card_with_neither_ingredients_nor_steps(a_recipe):
    with pytest.raises(NotFood):
        recipe_check_food(a_recipe(source="recipe_card", ingredients=[], steps=[]), mode="recipe_card")


def test_it_accepts_food(a_recipe):
    recipe_check_food(a_recipe(), mode="dish_photo")
    recipe_check_food(a_recipe(steps=[]), mode="recipe_card")  # ingredients alone are a recipe


def test_the_vision_config_carries_the_settings(settings):
    settings.VISION_TORCH_THREADS = 2
    settings.VISION_MODEL = "tiny"

    config = vision_config()

    assert (config.torch_threads, config.model) == (2, "tiny")


def test_it_passes_every_photo_of_a_recipe_in_order(a_recipe, picture):
    seen = []

    class Double:
        model_id = "double"

        def generate(self, images, options):
            seen.extend(image.size for image in images)
            return a_recipe()

    photos = [picture("JPEG", size=(400, 300)), picture("PNG", size=(300, 400)), picture("WEBP", size=(500, 300))]
    read = recipe_from_photos(photos, mode="recipe_card", language="my", backend=Double())

    assert seen == [(400, 300), (300, 400), (500, 300)]
    assert (read.recipe.title, read.model_id, read.tries) == ("Shakshuka", "double", 1)


def test_it_reads_two_pages_with_the_real_model(photos_dir):
    pages = [(photos_dir / "recipe_card.png").read_bytes(), (photos_dir / "dish.jpg").read_bytes()]

    read = recipe_from_photos(pages, mode="auto", language="ur")

    assert (read.recipe.language, read.model_id) == ("ur", "tiny")
