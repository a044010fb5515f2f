"""What the pipeline around the model costs: upload to recipe through the real
API (gunicorn) and a real Celery worker on the tiny model, and how many
uploads a second the API accepts.

    .venv/bin/python -m bench.pipeline                          # 20 jobs, 100 uploads
    .venv/bin/python -m bench.pipeline --jobs 2 --uploads 4     # a smoke run

Runs `make run`'s processes (the Procfile's gunicorn and solo-pool worker) on
the embedded defaults in a fresh temporary data folder: SQLite, the folder
broker, the tiny model, with the fair-use limits off. Prints one JSON object.

Phase 1, latency: one photo at a time (the recipe card). Per job, the
server's latency is the job's `finished_at - created_at`, the client's is
from sending the upload to seeing `succeeded` (polling the job every
--poll-ms; the event stream would add its own poll of the row, every
JOB_EVENTS_POLL_SECONDS), the model's own time is `Job.generate_ms`, and
overhead = latency - model time. It is split
into `queue_ms` (created -> claimed: commit, broker, the worker's poll, the
claim) and `worker_ms` (claimed -> finished, less the model: photo read,
stage writes, saving the recipe); the client also sees `accept_ms` (sending
the upload -> the job row) and `seen_ms` (finished -> the poll that saw it).

Phase 2, throughput: --uploads photos (the dish and the card in turn) sent by
--concurrency client threads, with the worker stopped: on a small machine its
model would take the CPU the API needs, and in production it runs elsewhere.
VISION_TORCH_THREADS and other settings pass through from the environment.

Timings on a shared machine are noisy: `load_avg` says how busy it was.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests

from bench.scratch import positive, scratch_folder

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = [ROOT / "fixtures" / "photos" / "dish.jpg", ROOT / "fixtures" / "photos" / "recipe_card.png"]
# The tiny model's answers are random but fixed for a photo: it reads a recipe
# in the card, and says the dish shows no food (the job fails with not_food
# and records no model time), so phase 1 times the card only.
TIMED_PHOTO = PHOTOS[1]
# The fair-use limits would refuse a benchmark's uploads (429).
NO_LIMITS = {
    "JOB_MAX_IN_FLIGHT": "0",
    "THROTTLE_UPLOAD": "1000000/min",
    "THROTTLE_REGISTER": "1000000/min",
    "THROTTLE_TOKEN": "1000000/min",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=positive, default=20, help="phase 1: photos read one after another")
    parser.add_argument("--uploads", type=positive, default=100, help="phase 2: uploads sent at once")
    parser.add_argument("--concurrency", type=positive, default=4, help="phase 2: client threads")
    parser.add_argument("--poll-ms", type=float, default=10, help="phase 1: how often the client asks for its job")
    parser.add_argument("--warmup", type=int, default=2, help="jobs run first and not counted")
    parser.add_argument("--max-new-tokens", type=int, default=768)
    parser.add_argument("--keep", action="store_true", help="keep the data folder and process logs")
    args = parser.parse_args()

    with scratch_folder("platepilot-pipeline-", keep=args.keep, name="bench.pipeline") as data_dir:
        figures = _run(args, data_dir)
    print(json.dumps(figures))
    if figures["uploads"]["accepted"] != args.uploads:
        sys.exit(f"only {figures['uploads']['accepted']} of {args.uploads} uploads were accepted")



def _run(args, data_dir: Path) -> dict:
    _use_data_dir(data_dir)
    import django
    from django.core.management import call_command

    django.setup()
    from tests.live import ApiServer, WorkerProcess, live_env

    _say(f"migrating a fresh database in {data_dir}")
    call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)  # stdout is for the figures

    env = live_env(VISION_MAX_NEW_TOKENS=args.max_new_tokens)
    load_start = os.getloadavg()
    with ApiServer(env, log_dir=data_dir) as api:
        client = ApiClient(api.url)
        with WorkerProcess(env, name="bench-worker", supervised=True, log_dir=data_dir) as worker:
            _say("waiting for the worker to load the tiny model")
            worker.wait_ready()
            try:
                jobs = _latency_phase(client, count=args.jobs, warmup=args.warmup, poll_s=args.poll_ms / 1000)
            except JobFailed as error:
                sys.exit(f"{error}\n--- worker log ---\n{worker.log()[-4000:]}")
        uploads = _throughput_phase(client, count=args.uploads, concurrency=args.concurrency)
    return {
        "bench": "pipeline",
        "model": "tiny",
        "max_new_tokens": args.max_new_tokens,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg": {"start": list(load_start), "end": list(os.getloadavg())},
        "database": "sqlite",
        "broker": "filesystem",
        "api": "gunicorn --workers 2 --threads 4",
        "latency": _latency_summary(jobs, poll_ms=args.poll_ms),
        "uploads": uploads,
    }


def _use_data_dir(data_dir: Path) -> None:
    """Point this process, and through `live_env` the API and worker, at the
    embedded defaults in `data_dir`. Must run before Django loads its settings,
    which read DATA_DIR once. The tiny model is built there anew (a second)."""
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):  # whatever the shell says
        os.environ.pop(name, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="recipes_api.settings",
        DATA_DIR=str(data_dir),
        VISION_MODEL="tiny",
        HF_HUB_OFFLINE="1",
        JWT_ACCESS_MINUTES="1440",  # one token for the whole run
        **NO_LIMITS,
    )


class JobFailed(Exception):
    pass


class ApiClient:
    """What the app does over HTTP: register, sign in, upload, ask for a job."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        credentials = {"username": "bench", "password": "a-benchmark-pass-phrase"}
        registered = self.session.post(f"{base_url}/api/v1/auth/register/", json=credentials, timeout=30)
        registered.raise_for_status()
        tokens = self.session.post(f"{base_url}/api/v1/auth/token/", json=credentials, timeout=30)
        tokens.raise_for_status()
        self.headers = {"Authorization": f"Bearer {tokens.json()['access']}"}

    def upload(self, photo: tuple[str, bytes], session: requests.Session | None = None) -> requests.Response:
        # reprocess: the bench sends its few photos again and again, and each
        # upload must still be a job and a model run, not the photo's last job.
        return (session or self.session).post(
            f"{self.base_url}/api/v1/photos/",
            headers=self.headers,
            files={"image": photo},
            data={"reprocess": "true"},
            timeout=60,
        )

    def get(self, url: str) -> dict:
        answer = self.session.get(url, headers=self.headers, timeout=30)
        answer.raise_for_status()
        return answer.json()


def _latency_phase(client: ApiClient, *, count: int, warmup: int, poll_s: float) -> list[dict]:
    """Upload photos one at a time and time each to its recipe. The warm-up
    jobs let the model's first call and each API process's first broker
    connection happen outside the figures."""
    photo = (TIMED_PHOTO.name, TIMED_PHOTO.read_bytes())
    pauses = random.Random(0)
    jobs = []
    for number in range(-warmup, count):
        # Uploads sent straight after the last recipe would fall in step with
        # the worker's broker polling and always wait the same share of it.
        time.sleep(pauses.uniform(0, 0.2))
        job = _job_timed(client, photo, poll_s=poll_s)
        if number >= 0:
            jobs.append(job)
        server_ms = _ms(job["finished"] - job["created"])
        _say(f"job {number + 1}/{count}: {server_ms:.0f} ms" + (" (warm-up)" if number < 0 else ""))
    return _with_model_time(jobs)


def _job_timed(client: ApiClient, photo: tuple[str, bytes], *, poll_s: float) -> dict:
    """One photo's timings in seconds. The client's clock is the server's (one
    machine), so the upload's send time can be set against the job's
    timestamps."""
    sent = time.time()
    accepted = client.upload(photo)
    if accepted.status_code != 202:
        raise JobFailed(f"upload answered {accepted.status_code}: {accepted.text[:500]}")
    while (job := client.get(accepted.headers["Location"]))["status"] not in ("succeeded", "failed"):
        time.sleep(poll_s)
    seen = time.time()
    if job["status"] != "succeeded":
        raise JobFailed(f"job {job['id']} failed: {job['error']}")
    created, started, finished = (
        datetime.fromisoformat(job[key]).timestamp() for key in ("created_at", "started_at", "finished_at")
    )
    return {"id": job["id"], "sent": sent, "created": created, "started": started, "finished": finished, "seen": seen}


def _with_model_time(jobs: list[dict]) -> list[dict]:
    """Each job's latency, its model time (which only the database holds) and
    where the rest went, in ms. accept + queue + model + worker + seen = client."""
    from recipes_api.photos.models import Job

    ids = [job["id"] for job in jobs]
    model_ms = {str(id): ms for id, ms in Job.objects.filter(id__in=ids).values_list("id", "generate_ms")}
    timed = []
    for job in jobs:
        model = model_ms[job["id"]]
        server, client = _ms(job["finished"] - job["created"]), _ms(job["seen"] - job["sent"])
        timed.append(
            {
                "server_ms": server,
                "client_ms": client,
                "model_ms": model,
                "overhead_ms": round(server - model, 1),
                "client_overhead_ms": round(client - model, 1),
                "accept_ms": _ms(job["created"] - job["sent"]),
                "queue_ms": _ms(job["started"] - job["created"]),
                "worker_ms": round(_ms(job["finished"] - job["started"]) - model, 1),
                "seen_ms": _ms(job["seen"] - job["finished"]),
            }
        )
    return timed


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _latency_summary(jobs: list[dict], *, poll_ms: float) -> dict:
    fields = list(jobs[0])
    return {
        "n": len(jobs),
        "poll_ms": poll_ms,
        **{field: _percentiles([job[field] for job in jobs]) for field in fields},
        "jobs": jobs,
    }


def _throughput_phase(client: ApiClient, *, count: int, concurrency: int) -> dict:
    """Send `count` uploads from `concurrency` threads, each on its own
    connection, and count the 202s."""
    photos = [(path.name, path.read_bytes()) for path in PHOTOS]
    local = threading.local()

    def send(number: int) -> tuple[int, float]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        sent = time.perf_counter()
        answer = client.upload(photos[number % len(photos)], session=local.session)
        return answer.status_code, (time.perf_counter() - sent) * 1000

    _say(f"sending {count} uploads from {concurrency} threads")
    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        answers = list(pool.map(send, range(count)))
        wall_s = time.perf_counter() - started
    statuses = [status for status, _ in answers]
    return {
        "n": count,
        "concurrency": concurrency,
        "accepted": statuses.count(202),
        "statuses": {str(status): statuses.count(status) for status in sorted(set(statuses))},
        "accepted_per_s": round(statuses.count(202) / wall_s, 1),
        "request_ms": _percentiles([ms for _, ms in answers]),
    }


def _percentiles(values: list[float]) -> dict:
    """p50 and p95, interpolating between ranks (as numpy does by default)."""
    ordered = sorted(values)

    def at(q: float) -> float:
        position = (len(ordered) - 1) * q
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return {"p50": round(at(0.5), 1), "p95": round(at(0.95), 1)}


def _say(message: str) -> None:
    print(f"bench.pipeline: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
