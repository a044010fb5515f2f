"""`manage.py recipe_from_photo`: an operator tries a model on photos and
gets the recipe as JSON on stdout, the time on stderr, or one clear line."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PHOTOS = Path(__file__).resolve().parents[2] / "fixtures" / "photos"


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("recipe_from_photo", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_recipe_as_json_and_the_time_taken_apart():
    out, err = run(PHOTOS / "recipe_card.png", PHOTOS / "dish.jpg", language="zh", model="tiny", device="cpu")

    recipe = json.loads(out)  # stdout holds the JSON and nothing else
    assert recipe["language"] == "zh"
    assert recipe["is_food"] is True
    assert err.startswith("tiny: recipe read in ")
    assert " s (1 try)" in err


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("no/such/photo.jpg", "no/such/photo.jpg: no such file"),
        (Path(__file__), "test_recipe_from_photo_command.py: Send a JPEG, PNG, WebP, HEIC or AVIF photo."),
        (PHOTOS, "photos: a folder, not a photo"),
    ],
)
def test_it_says_in_one_line_what_is_wrong_with_a_photo(path, says):
    with pytest.raises(CommandError) as caught:
        run(path)

    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_it_says_when_the_model_cannot_be_had():
    with pytest.raises(CommandError) as caught:
        run(PHOTOS / "dish.jpg", model="no-such-org/no-such-model")

    assert "cannot fetch vision model 'no-such-org/no-such-model'" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_it_refuses_a_malformed_language_before_loading_anything():
    with pytest.raises(CommandError, match="not a BCP 47 language tag"):
        run(PHOTOS / "dish.jpg", language="Burmese please")


def test_it_exits_non_zero_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "recipe_from_photo", str(tmp_path / "gone.jpg")],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert result.stdout == ""
    assert "gone.jpg: no such file" in result.stderr
    assert "Traceback" not in result.stderr
