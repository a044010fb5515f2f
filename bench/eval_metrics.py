"""How close a model's recipe is to the labelled one: pure functions, no model.

`recipe_scores(label, predicted)` scores one answer; `scores_summarise(rows)`
folds many into the figures of a report. Texts are compared after
`text_normalise` (Unicode NFKC, case-folding, punctuation dropped, spaces
collapsed), so "Red Lentils," and "red lentils" are the same name.
Similarities are normalised Levenshtein similarities (1 - edits / length of
the longer text) from rapidfuzz, computed on characters, which works alike
for English, Burmese, Bengali, Urdu and Chinese.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

# Spellings of one unit, in the five languages of the set, under one name. A
# model that reads "200 克" and writes unit "g" has read the unit right.
_UNIT_NAMES = {
    "g": ["g", "gr", "gram", "grams", "gramme", "grammes", "克", "公克", "ဂရမ်", "গ্রাম", "گرام"],
    "kg": ["kg", "kilo", "kilos", "kilogram", "kilograms", "公斤", "千克", "ကီလို", "কেজি", "کلو", "کلوگرام"],
    "ml": ["ml", "millilitre", "millilitres", "milliliter", "milliliters", "毫升", "မီလီလီတာ", "মিলি", "মিলিলিটার",
           "ملی لیٹر"],  # fmt: skip
    "l": ["l", "litre", "litres", "liter", "liters", "升", "公升", "လီတာ", "লিটার", "لیٹر"],
    "tsp": ["tsp", "teaspoon", "teaspoons", "茶匙", "小勺", "လက်ဖက်ရည်ဇွန်း", "চা চামচ", "چائے کا چمچ"],
    "tbsp": ["tbsp", "tablespoon", "tablespoons", "汤匙", "大勺", "ထမင်းစားဇွန်း", "টেবিল চামচ", "کھانے کا چمچ"],
    "cup": ["cup", "cups", "杯"],
    "clove": ["clove", "cloves", "瓣", "မွှာ", "কোয়া", "جوا", "جوے"],
    # Counted things: no unit, or a word that only counts.
    "": ["", "piece", "pieces", "pc", "pcs", "whole", "个", "個", "根", "只", "条", "လုံး", "ခု", "တုံး", "টি", "টা",
         "عدد"],  # fmt: skip
}


def text_normalise(text: str) -> str:
    """`text` compared loosely: NFKC, case-folded, punctuation dropped, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(" " if unicodedata.category(c).startswith("P") else c for c in folded)
    return " ".join(kept.split())


_UNITS = {text_normalise(name): unit for unit, names in _UNIT_NAMES.items() for name in names}


def unit_normalise(unit: str) -> str:
    """One name for each spelling of a unit (`"Grams"` and `"克"` are `"g"`); others as normalised."""
    text = text_normalise(unit)
    return _UNITS.get(text, text)


def similarity(a: str, b: str) -> float:
    """Normalised Levenshtein similarity of two normalised texts: 1.0 identical, 0.0 nothing shared."""
    return Levenshtein.normalized_similarity(text_normalise(a), text_normalise(b))


def title_scores(label: str, predicted: str) -> dict[str, float]:
    """Exact match (1.0 or 0.0) and similarity of two titles."""
    return {
        "title_exact": float(text_normalise(label) == text_normalise(predicted)),
        "title_similarity": similarity(label, predicted),
    }


def ingredient_scores(label: Sequence, predicted: Sequence) -> dict[str, float | int]:
    """Precision, recall and F1 of ingredient names, and how many matched
    ingredients have the right quantity and unit.

    Names match when equal after normalisation, each label ingredient with at
    most one predicted one, in order of appearance. A quantity is right when
    it equals the label's to within 1e-6 (or both are null); a unit when both
    name the same unit after `unit_normalise`.
    """
    unmatched: dict[str, list] = defaultdict(list)
    for ingredient in label:
        unmatched[text_normalise(ingredient.name)].append(ingredient)
    pairs = []
    for ingredient in predicted:
        candidates = unmatched.get(text_normalise(ingredient.name))
        if candidates:
            pairs.append((candidates.pop(0), ingredient))
    matched = len(pairs)
    precision = matched / len(predicted) if predicted else float(not label)
    recall = matched / len(label) if label else float(not predicted)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "ingredient_precision": precision,
        "ingredient_recall": recall,
        "ingredient_f1": f1,
        "ingredients_matched": matched,
        "quantities_right": sum(_quantity_equal(a.quantity, b.quantity) for a, b in pairs),
        "units_right": sum(unit_normalise(a.unit) == unit_normalise(b.unit) for a, b in pairs),
    }


def _quantity_equal(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6


def steps_similarity(label: Sequence, predicted: Sequence) -> float:
    """Similarity of the method as a whole: the steps' texts, one per line."""
    return similarity("\n".join(s.text for s in label), "\n".join(s.text for s in predicted))


def language_match(label: str, predicted: str) -> float:
    """1.0 when the primary language subtags agree ("zh-Hans" is "zh"), else 0.0."""
    return float(label.split("-")[0].casefold() == predicted.split("-")[0].casefold())


def recipe_scores(label, predicted) -> dict[str, float | int]:
    """Every per-answer figure for a predicted `Recipe` against its label."""
    return {
        **title_scores(label.title, predicted.title),
        **ingredient_scores(label.ingredients, predicted.ingredients),
        "steps_similarity": steps_similarity(label.steps, predicted.steps),
        "language_match": language_match(label.language, predicted.language),
    }


# Figures averaged over answers (an answer that is not a valid recipe scores 0).
MEAN_FIELDS = (
    "title_exact",
    "title_similarity",
    "ingredient_precision",
    "ingredient_recall",
    "ingredient_f1",
    "steps_similarity",
    "language_match",
)


def latency_summary(seconds: Sequence[float]) -> dict[str, float | None]:
    """Median and 90th percentile (nearest rank) of per-image latencies."""
    if not seconds:
        return {"median": None, "p90": None}
    ordered = sorted(seconds)
    rank = max(1, -(-len(ordered) * 9 // 10))  # ceil(0.9 n)
    return {"median": statistics.median(ordered), "p90": ordered[rank - 1]}


def scores_summarise(rows: Iterable[dict]) -> dict:
    """Fold per-answer rows into one group's figures.

    A row has `latency_s`, `error_code` (None for a valid answer) and, when
    valid, `scores` from `recipe_scores`. Field means count an invalid answer as 0: it is
    a recipe the user never gets. Quantity and unit accuracy are over matched
    ingredients only (None when nothing matched).
    """
    rows = list(rows)
    valid = [row for row in rows if row["error_code"] is None]
    figures: dict = {"images": len(rows), "valid_rate": len(valid) / len(rows) if rows else None}
    for field in MEAN_FIELDS:
        figures[field] = sum(row["scores"][field] for row in valid) / len(rows) if rows else None
    matched = sum(row["scores"]["ingredients_matched"] for row in valid)
    figures["quantity_accuracy"] = (
        sum(row["scores"]["quantities_right"] for row in valid) / matched if matched else None
    )
    figures["unit_accuracy"] = sum(row["scores"]["units_right"] for row in valid) / matched if matched else None
    figures["ingredients_matched"] = matched
    figures["invalid_by_code"] = dict(sorted(Counter(row["error_code"] for row in rows if row["error_code"]).items()))
    figures["latency_s"] = latency_summary([row["latency_s"] for row in rows])
    return figures
