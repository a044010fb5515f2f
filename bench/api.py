"""What browsing the library costs: the recipe list and its search for a user
with 5,000 recipes, 20 per page, beside a trivial authenticated endpoint
(`GET /api/v1/me/`) on the same server in the same run.

    .venv/bin/python -m bench.api                                   # SQLite, 5,000 recipes
    .venv/bin/python -m bench.api --database-url postgres://postgres@127.0.0.1:5432/bench
    .venv/bin/python -m bench.api --recipes 50 --seconds 2          # a smoke run

Serves the API with the Procfile's gunicorn command (`tests/live.py`
`ApiServer`: 2 workers x 4 threads) on a fresh SQLite file in a temporary data
folder, or on --database-url (a scratch database: the bench adds a user with
its recipes there, made through the `recipe_create` service, and deletes them
at the end). The load generator is a closed loop of --concurrency threads,
each with its own keep-alive connection, over loopback, for --seconds per
endpoint after a short warm-up: the endpoint's throughput, and its latency
at saturation, where every request mostly waits for the ones before it.
Then an open loop sends requests on a fixed schedule at --load-fraction
(default 0.5) of that throughput, as independent users arrive, for the
latency a user sees below saturation (counted from each request's
scheduled time, waits included). The endpoints take turns, so they see the
same server. It runs on the same machine as the server and competes with it
for the CPU: compare the endpoints with each other, not with another machine.

Whether the list takes `?search=` is read from the served schema: where it
does not (yet), search is reported as `"supported": false`, not timed.

Targets (issue 7): the list reaches at least half the trivial endpoint's
requests/s; search p99 under 100 ms on PostgreSQL. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.scratch import positive, scratch_folder

SEARCH_TERM = "tomato"
WORDS = ["tomato", "basil", "lentil", "saffron", "ginger", "lemon", "chickpea", "mushroom", "paprika", "coconut"]
DISHES = ["soup", "stew", "salad", "curry", "pie", "risotto", "tart", "bake", "noodles", "flatbread"]
NO_LIMITS = {"THROTTLE_UPLOAD": "1000000/min", "THROTTLE_REGISTER": "1000000/min", "THROTTLE_TOKEN": "1000000/min"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", type=positive, default=5000, help="recipes in the user's library")
    parser.add_argument("--page-size", type=positive, default=20)
    parser.add_argument("--seconds", type=float, default=15, help="timed load per endpoint")
    parser.add_argument("--warmup", type=float, default=1, help="untimed load per endpoint first")
    parser.add_argument("--concurrency", type=positive, default=8, help="client threads")
    parser.add_argument(
        "--load-fraction",
        type=float,
        default=0.5,
        help="then send requests at this share of each endpoint's measured throughput, for latency below saturation",
    )
    parser.add_argument("--database-url", help="a scratch database (default: a fresh SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and the server's log")
    args = parser.parse_args()

    with scratch_folder("platepilot-api-bench-", keep=args.keep, name="bench.api") as data_dir:
        figures = _run(args, data_dir)
    print(json.dumps(figures))



def _run(args, data_dir: Path) -> dict:
    _use_settings(data_dir, args.database_url)
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from tests.live import ApiServer, live_env

    _say("migrating")
    call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)  # stdout is for the figures
    password = "a-benchmark-pass-phrase"
    user = _library_create(username=f"bench-{uuid.uuid4().hex[:8]}", password=password, count=args.recipes)
    # A library built over months has planner statistics; one written a
    # second ago has none until autovacuum comes by (within a minute or so on
    # PostgreSQL), and without them PostgreSQL read every one of the user's
    # recipes for a page (15 ms) instead of the page's rows from its index.
    # VACUUM too, as autovacuum would: the libraries earlier runs deleted
    # otherwise stay in the tables and the search index as dead rows, which
    # every search reads again (after 50 runs, 260,000 of them, and a third
    # of search's throughput).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    try:
        load_start = os.getloadavg()
        with ApiServer(live_env(), log_dir=data_dir) as api:
            headers = {"Authorization": f"Bearer {_token(api.url, user.username, password)}"}
            lists = f"{api.url}/api/v1/recipes/?page_size={args.page_size}"
            searchable = _list_takes_search(api.url)
            endpoints = {"me": f"{api.url}/api/v1/me/", "list": lists}
            if searchable:
                endpoints["search"] = f"{lists}&search={SEARCH_TERM}"
            results = {}
            for name, url in endpoints.items():
                _say(f"{name}: {args.concurrency} threads for {args.seconds:g} s")
                _load(url, headers, seconds=args.warmup, concurrency=args.concurrency)
                results[name] = _load(url, headers, seconds=args.seconds, concurrency=args.concurrency)
                if args.load_fraction > 0:
                    rate = args.load_fraction * results[name]["requests_per_s"]
                    _say(f"{name}: {rate:.0f} requests/s for {args.seconds:g} s")
                    results[name]["at_rate"] = _load_at_rate(
                        url, headers, rate=rate, seconds=args.seconds, concurrency=args.concurrency
                    )
                results[name].update(_page_items(url, headers))
        load_end = os.getloadavg()
    finally:
        user.delete()
    if not searchable:
        results["search"] = {"supported": False, "note": "GET /api/v1/recipes/ does not take `search` yet"}
    vendor = connection.vendor
    return {
        "bench": "api",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg": {"start": list(load_start), "end": list(load_end)},
        "database": vendor,
        "api": "gunicorn --workers 2 --threads 4",
        "recipes": args.recipes,
        "page_size": args.page_size,
        "concurrency": args.concurrency,
        "load_fraction": args.load_fraction,
        "seconds": args.seconds,
        "endpoints": results,
        "targets": _targets(results, postgres=vendor == "postgresql"),
    }


def _use_settings(data_dir: Path, database_url: str | None) -> None:
    """Point this process, and through `live_env` the API, at `data_dir`
    and the chosen database. Must run before Django reads its settings."""
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):  # whatever the shell says
        os.environ.pop(name, None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.update(
        DJANGO_SETTINGS_MODULE="recipes_api.settings",
        DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        JWT_ACCESS_MINUTES="1440",  # one token for the whole run
        **NO_LIMITS,
    )


def _library_create(*, username: str, password: str, count: int):
    """A user with `count` recipes, written by the service the worker uses,
    so whatever it maintains for the list and its search is there. Each has
    a cover photo, as a recipe read from a photo does, so that the list
    signs a thumbnail URL per item; the photos' rows only, not their files,
    which no endpoint here opens."""
    from django.db import transaction

    from recipes_api.accounts.models import User
    from recipes_api.photos.models import Photo, photo_path, thumbnail_path
    from recipes_api.recipes.services import recipe_create
    from vision import schema

    _say(f"writing {count} recipes")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        for number in range(count):
            photo = Photo(owner=user, blurhash="LKO2?U%2Tw=w]~RBVZRi};RPxuwH", width=1600, height=1200, bytes=250_000)
            photo.image.name = photo_path(photo, "")
            photo.thumbnail.name = thumbnail_path(photo, "")
            photo.sha256 = f"{number:064x}"
            photo.save()
            recipe = schema.Recipe.model_validate(_recipe_fields(number))
            recipe_create(owner=user, photo=photo, recipe=recipe, model_id="bench")
    return user


def _recipe_fields(number: int) -> dict:
    word, other, dish = WORDS[number % 10], WORDS[(number // 10) % 10], DISHES[(number // 100) % 10]
    return {
        "source": "recipe_card", "is_food": True, "language": "en",
        "title": f"{word.title()} and {other} {dish} no. {number}",
        "description": f"A {dish} of {word} and {other}, for a weeknight.",
        "cuisine": "", "course": "main", "servings": 4, "prep_minutes": 15, "cook_minutes": 30,
        "ingredients": [
            {"name": word, "quantity": 300, "unit": "g", "note": "", "section": ""},
            {"name": other, "quantity": 2, "unit": "tbsp", "note": "chopped", "section": ""},
            {"name": "olive oil", "quantity": 1, "unit": "tbsp", "note": "", "section": ""},
        ],
        "steps": [{"text": f"Cook the {word} gently.", "minutes": 10}, {"text": f"Add the {other}.", "minutes": 20}],
        "nutrition": {
            "kcal": 420, "protein_g": 12, "fat_g": 14, "carbs_g": 50, "fiber_g": 8, "sugar_g": 6, "sodium_mg": 300,
        },
        "diets": [], "allergens": [], "tags": [dish], "confidence": 0.9,
    }  # fmt: skip


def _token(base_url: str, username: str, password: str) -> str:
    answer = requests.post(
        f"{base_url}/api/v1/auth/token/", json={"username": username, "password": password}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["access"]


def _list_takes_search(base_url: str) -> bool:
    schema = requests.get(f"{base_url}/api/schema/", params={"format": "json"}, timeout=30).json()
    parameters = schema["paths"]["/api/v1/recipes/"]["get"].get("parameters", [])
    return any(parameter.get("name") == "search" for parameter in parameters)


def _page_items(url: str, headers: dict) -> dict:
    """How many items a page of a list answer holds, and how many of them
    carry a signed thumbnail URL; nothing for an answer that is no list."""
    body = requests.get(url, headers=headers, timeout=30).json()
    if "results" not in body:
        return {}
    items = body["results"]
    return {"items_per_page": len(items), "thumbnails_per_page": sum(bool(item.get("thumbnail")) for item in items)}


def _load(url: str, headers: dict, *, seconds: float, concurrency: int) -> dict:
    """`concurrency` threads GET `url` back to back for `seconds`."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        session = requests.Session()
        mine, codes = [], {}
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            answer = session.get(url, headers=headers, timeout=30)
            mine.append(time.perf_counter() - started)
            codes[str(answer.status_code)] = codes.get(str(answer.status_code), 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"requests_per_s": round(len(latencies) / elapsed, 1), **_figures(latencies, statuses)}


def _load_at_rate(url: str, headers: dict, *, rate: float, seconds: float, concurrency: int) -> dict:
    """GET `url` `rate` times a second for `seconds`, on a fixed schedule
    whatever the answers take (an open loop, as independent users arrive),
    from up to `concurrency` threads. Each latency counts from the request's
    scheduled time, so a request that waited for a free thread counts its
    wait too."""
    local = threading.local()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def send(scheduled: float) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        answer = local.session.get(url, headers=headers, timeout=30)
        finished = time.perf_counter()
        with lock:
            latencies.append(finished - scheduled)
            statuses[str(answer.status_code)] = statuses.get(str(answer.status_code), 0) + 1

    count = max(int(rate * seconds), 1)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for number in range(count):
            scheduled = started + number / rate
            time.sleep(max(scheduled - time.perf_counter(), 0))
            pool.submit(send, scheduled)
    return {"rate": round(rate, 1), "scheduled": count, **_figures(latencies, statuses)}


def _figures(latencies: list[float], statuses: dict[str, int]) -> dict:
    return {
        "requests": len(latencies),
        "statuses": statuses,
        "p50_ms": _percentile(latencies, 50),
        "p99_ms": _percentile(latencies, 99),
    }


def _percentile(seconds: list[float], percent: int) -> float | None:
    if len(seconds) < 2:
        return round(seconds[0] * 1000, 2) if seconds else None
    return round(statistics.quantiles(seconds, n=100, method="inclusive")[percent - 1] * 1000, 2)


def _targets(results: dict, *, postgres: bool) -> dict:
    ratio = results["list"]["requests_per_s"] / results["me"]["requests_per_s"]
    search = results["search"]
    return {
        "list_vs_me_throughput": round(ratio, 2),
        "list_at_least_half_of_me": ratio >= 0.5,
        "search_p99_under_100ms": (search["p99_ms"] < 100) if "p99_ms" in search else None,
        "search_p99_at_rate_under_100ms": (search["at_rate"]["p99_ms"] < 100) if "at_rate" in search else None,
        "search_target_applies": postgres,  # the target is stated for PostgreSQL
    }


def _say(message: str) -> None:
    print(f"[bench.api] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
