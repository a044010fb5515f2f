import importlib.util
import io
import json
from pathlib import Path

import pytest
from PIL import Image
from vision.schema import Ingredient, Recipe, Step

from bench import eval as harness
from bench.eval_metrics import recipe_scores, scores_summarise, unit_normalise
from bench.eval_set import LABELS, eval_set_load

ROOT = Path(__file__).resolve().parents[2]


def _recipe(**fields) -> Recipe:
    """A recipe as a label or a model answer, with the fields a test cares about."""
    base = eval_set_load()[0].recipe.model_dump()
    return Recipe.model_validate({**base, **fields})


def _pasta(**fields) -> Recipe:
    pasta = dict(
        title="Pasta with butter",
        language="en",
        ingredients=[
            Ingredient(name="Spaghetti", quantity=200, unit="g", note="", section=""),
            Ingredient(name="butter", quantity=30, unit="g", note="", section=""),
            Ingredient(name="parmesan", quantity=2, unit="tbsp", note="grated", section=""),
            Ingredient(name="black pepper", quantity=None, unit="", note="", section=""),
        ],
        steps=[Step(text="Boil the water.", minutes=None), Step(text="Add the pasta.", minutes=None)],
    )
    return _recipe(**{**pasta, **fields})


def test_it_scores_a_perfect_answer_one_everywhere():
    for item in eval_set_load():
        scores = recipe_scores(item.recipe, item.recipe)
        assert {key: value for key, value in scores.items() if not key.endswith(("matched", "right"))} == {
            "title_exact": 1.0,
            "title_similarity": 1.0,
            "ingredient_precision": 1.0,
            "ingredient_recall": 1.0,
            "ingredient_f1": 1.0,
            "steps_similarity": 1.0,
            "language_match": 1.0,
        }, item.id
        count = len(item.recipe.ingredients)
        assert scores["ingredients_matched"] == scores["quantities_right"] == scores["units_right"] == count


def test_it_takes_off_what_a_damaged_answer_gets_wrong():
    label = _pasta()
    answer = _pasta(
        title="PASTA with Butter!",  # the same title, written louder
        language="en-GB",
        ingredients=[  # pepper dropped, butter's quantity misread, the rest reworded only in case
            Ingredient(name="spaghetti", quantity=200, unit="grams", note="", section=""),
            Ingredient(name="Butter", quantity=300, unit="g", note="", section=""),
            Ingredient(name="parmesan", quantity=2, unit="tbsp", note="", section=""),
        ],
        steps=[Step(text="Boil the water.", minutes=None), Step(text="Add the rice.", minutes=None)],
    )

    scores = recipe_scores(label, answer)

    assert scores["title_exact"] == scores["title_similarity"] == 1.0
    assert scores["ingredient_precision"] == 1.0  # all 3 named are in the label
    assert scores["ingredient_recall"] == 3 / 4
    assert scores["ingredient_f1"] == pytest.approx(2 * 1 * 0.75 / 1.75)  # 6/7
    assert (scores["ingredients_matched"], scores["quantities_right"], scores["units_right"]) == (3, 2, 3)
    # "boil the water add the pasta" (28 characters) -> "... add the rice": "pasta"
    # and "rice" share no letter, so 5 edits.
    assert scores["steps_similarity"] == pytest.approx(1 - 5 / 28)
    assert scores["language_match"] == 1.0


def test_it_gives_partial_credit_for_a_title_one_letter_off():
    scores = recipe_scores(_pasta(), _pasta(title="Pasta with batter"))

    assert scores["title_exact"] == 0.0
    assert scores["title_similarity"] == pytest.approx(1 - 1 / 17)


def test_it_counts_an_extra_ingredient_against_precision_only():
    extra = Ingredient(name="salt", quantity=1, unit="tsp", note="", section="")
    scores = recipe_scores(_pasta(), _pasta(ingredients=[*_pasta().ingredients, extra]))

    assert (scores["ingredient_precision"], scores["ingredient_recall"]) == (4 / 5, 1.0)


def test_it_reads_a_unit_in_any_of_the_sets_languages_as_one_unit():
    assert {unit_normalise(unit) for unit in ["g", "Grams", "克", "গ্রাম", "گرام", "ဂရမ်"]} == {"g"}
    assert unit_normalise("টেবিল চামচ") == unit_normalise("tablespoon") == "tbsp"
    assert unit_normalise("tsp") != unit_normalise("tbsp")


def test_it_counts_an_invalid_answer_as_zero_and_tallies_its_code():
    perfect = recipe_scores(_pasta(), _pasta())
    rows = [
        {"language": "en", "latency_s": 1.0, "error_code": None, "scores": perfect},
        {"language": "en", "latency_s": 3.0, "error_code": "generation_incomplete", "scores": None},
        {"language": "en", "latency_s": 2.0, "error_code": "not_food", "scores": None},
        {"language": "en", "latency_s": 10.0, "error_code": "not_food", "scores": None},
    ]

    figures = scores_summarise(rows)

    assert figures["valid_rate"] == 0.25
    assert figures["title_exact"] == figures["ingredient_f1"] == figures["steps_similarity"] == 0.25
    assert figures["quantity_accuracy"] == figures["unit_accuracy"] == 1.0  # over the 4 matched
    assert figures["invalid_by_code"] == {"generation_incomplete": 1, "not_food": 2}
    assert figures["latency_s"] == {"median": 2.5, "p90": 10.0}


def test_it_labels_every_image_of_the_set_with_a_valid_recipe():
    items = eval_set_load()

    assert len(items) >= 30
    assert {item.language for item in items} >= {"en", "my", "bn", "ur", "zh"}
    assert len({item.layout for item in items}) >= 4
    assert "dkg-handwriting" in {item.font for item in items}
    for item in items:
        with Image.open(item.image) as image:
            image.load()
            assert max(image.size) <= 1000, item.id
        assert item.recipe.is_food and item.recipe.ingredients and item.recipe.steps, item.id
    rendered = sum(path.stat().st_size for path in LABELS.parent.glob("*.jpg"))
    assert rendered < 4_000_000


def _render_module():
    spec = importlib.util.spec_from_file_location("eval_render", ROOT / "fixtures" / "eval" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_renders_a_card_again_byte_for_byte():
    render = _render_module()
    item = next(entry for entry in json.loads(LABELS.read_text())["items"] if entry["font"] == "dejavu-serif")
    if not Path(render.FONTS["dejavu-serif"][0]).exists():
        pytest.skip("DejaVu fonts are not installed (apt-get install fonts-dejavu-core)")

    out = io.BytesIO()
    render.card_render(item).save(out, "JPEG", quality=render.QUALITY)

    assert out.getvalue() == (LABELS.parent / item["image"]).read_bytes()


def test_it_names_the_package_of_a_missing_font(monkeypatch):
    render = _render_module()
    monkeypatch.setitem(render.FONTS, "noto-sans", ("/nowhere/NotoSans.ttf", "/nowhere/b.ttf", 0, "fonts-noto-core"))

    with pytest.raises(SystemExit, match="apt-get install -y fonts-noto-core"):
        render.font_load("noto-sans", 20)


def test_it_scores_the_tiny_model_on_two_cards(settings, tmp_path, capsys):
    harness.main(
        ["--limit", "2", "--pin-language", "--models-dir", str(settings.VISION_MODELS_DIR),
         "--max-new-tokens", "256", "--max-visual-tokens", "256", "--out", str(tmp_path)]
    )  # fmt: skip

    report = json.loads((tmp_path / "report.json").read_text())
    assert report["model"] == "tiny"
    assert report["overall"]["images"] == len(report["answers"]) == 2
    for answer in report["answers"]:
        assert (answer["error_code"] is None) == (answer["scores"] is not None)
        assert answer["latency_s"] > 0
    assert report["overall"]["latency_s"]["median"] > 0
    table = (tmp_path / "report.md").read_text()
    assert "| **all** | 2 |" in table
    assert table in capsys.readouterr().out
