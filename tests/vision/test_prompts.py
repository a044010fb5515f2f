import pytest

from vision.prompts import MODES, prompt_messages


@pytest.mark.parametrize("mode", MODES)
def test_it_asks_for_one_image_slot_per_photo(mode):
    messages = prompt_messages(mode=mode, language=None, image_count=2)
    user = messages[-1]["content"]
    assert [part["type"] for part in user] == ["image", "image", "text"]


def test_it_names_the_requested_language():
    text = prompt_messages(mode="dish_photo", language="my", image_count=1)[-1]["content"][-1]["text"]
    assert "Burmese (my)" in text
    assert '"my"' in text


def test_it_lets_the_photo_choose_the_language_by_default():
    text = prompt_messages(mode="auto", language=None, image_count=1)[-1]["content"][-1]["text"]
    assert "language of the recipe shown" in text


def test_it_refuses_unknown_modes():
    with pytest.raises(ValueError):
        prompt_messages(mode="poem", language=None, image_count=1)
