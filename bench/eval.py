"""How good the recipes are: a model scored on the labelled set in fixtures/eval/.

    .venv/bin/python -m bench.eval                                   # tiny model, CPU
    .venv/bin/python -m bench.eval --model Qwen/Qwen2.5-VL-3B-Instruct --device cuda
    .venv/bin/python -m bench.eval --model /models/my-checkpoint --pin-language --limit 10

Each image goes through a backend built from the options, as the worker
would run it; the answer is scored against the image's label (see
bench/eval_metrics.py). Writes report.json (every answer, its scores, and the
figures per language and overall) and report.md (the table, also printed)
to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from bench.eval_metrics import recipe_scores, scores_summarise
from bench.eval_set import LABELS, EvalItem, eval_set_load
from vision import GenerationOptions, NotFood, VisionConfig, VisionError, backend_create

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    items = eval_set_load(Path(args.labels))[: args.limit]
    config = VisionConfig(
        models_dir=Path(args.models_dir or Path(os.environ.get("DATA_DIR", ROOT / "var")) / "models"),
        model=args.model,
        device=args.device,
        max_new_tokens=args.max_new_tokens,
        max_visual_tokens=args.max_visual_tokens,
        torch_threads=args.torch_threads,
    )
    backend = backend_create(config)
    rows = [item_evaluate(backend, item, mode=args.mode, pin_language=args.pin_language) for item in items]
    report = {
        "bench": "eval",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": backend.model_id,
        "device": str(getattr(backend, "device", args.device)),
        "machine": platform.machine(),
        "options": {"mode": args.mode, "pin_language": args.pin_language, "max_new_tokens": args.max_new_tokens,
                    "max_visual_tokens": args.max_visual_tokens, "labels": str(args.labels)},  # fmt: skip
        "overall": scores_summarise(rows),
        "by_language": {
            language: scores_summarise(row for row in rows if row["language"] == language)
            for language in dict.fromkeys(row["language"] for row in rows)
        },
        "answers": rows,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = report_markdown(report)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.md").write_text(table, encoding="utf-8")
    print(table)


def item_evaluate(backend, item: EvalItem, *, mode: str, pin_language: bool) -> dict:
    """Run one image through `backend` and score the answer against its label.

    A `VisionError` (incomplete, invalid, not food...) is an answer that is not
    a valid recipe: it is recorded by its code, not raised. So is a recipe
    that says it shows no food, which the worker refuses as `not_food`.
    """
    image = Image.open(item.image).convert("RGB")
    options = GenerationOptions(mode=mode, language=item.language if pin_language else None)
    row = {"id": item.id, "language": item.language, "layout": item.layout, "font": item.font}
    started = time.perf_counter()
    try:
        recipe = backend.generate([image], options)
        if not recipe.is_food:
            raise NotFood("the model says the photo shows no food")
    except VisionError as error:
        return {**row, "latency_s": time.perf_counter() - started, "error_code": error.code, "scores": None,
                "answer": None}  # fmt: skip
    latency = time.perf_counter() - started
    return {**row, "latency_s": latency, "error_code": None, "scores": recipe_scores(item.recipe, recipe),
            "answer": recipe.model_dump(mode="json")}  # fmt: skip


_COLUMNS = [
    ("images", "n", "{}"),
    ("valid_rate", "valid", "{:.0%}"),
    ("title_exact", "title exact", "{:.2f}"),
    ("title_similarity", "title sim", "{:.2f}"),
    ("ingredient_precision", "ingr P", "{:.2f}"),
    ("ingredient_recall", "ingr R", "{:.2f}"),
    ("ingredient_f1", "ingr F1", "{:.2f}"),
    ("quantity_accuracy", "qty acc", "{:.2f}"),
    ("unit_accuracy", "unit acc", "{:.2f}"),
    ("steps_similarity", "steps sim", "{:.2f}"),
    ("language_match", "lang", "{:.2f}"),
]


def report_markdown(report: dict) -> str:
    """The report's figures as a Markdown table: one row per language, then all."""
    header = ["language", *(title for _, title, _ in _COLUMNS), "latency median / p90 (s)", "not valid, by code"]
    lines = [
        f"Model `{report['model']}` on {report['device']}, mode {report['options']['mode']}, "
        f"language {'pinned to the label' if report['options']['pin_language'] else 'free'}, {report['date']}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
    ]
    groups = [*report["by_language"].items(), ("**all**", report["overall"])]
    for name, figures in groups:
        cells = [name, *(_cell(figures[key], fmt) for key, _, fmt in _COLUMNS)]
        latency = figures["latency_s"]
        cells.append(f"{_cell(latency['median'], '{:.2f}')} / {_cell(latency['p90'], '{:.2f}')}")
        cells.append(", ".join(f"{code} {count}" for code, count in figures["invalid_by_code"].items()) or "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(value, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny", help="hub id, local checkpoint path, or 'tiny'")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1...")
    parser.add_argument("--mode", default="recipe_card", choices=["auto", "dish_photo", "recipe_card"])
    parser.add_argument("--pin-language", action="store_true", help="ask for each label's language")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N images")
    parser.add_argument("--out", default=str(ROOT / "var" / "eval"), help="folder for report.json and report.md")
    parser.add_argument("--labels", default=str(LABELS), help="the labelled set's labels.json")
    parser.add_argument("--models-dir", default=None, help="where models are built or cached ($DATA_DIR/models)")
    parser.add_argument("--max-new-tokens", type=int, default=2048)
    parser.add_argument("--max-visual-tokens", type=int, default=1024)
    parser.add_argument("--torch-threads", type=int, default=None, help="CPU threads for torch (default: all)")
    return parser


if __name__ == "__main__":
    main()
