"""The one rule every backend's answer passes before it can reach a library."""

import pytest

from vision import NotFood
from worker.engine import recipe_check_food, vision_config


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
