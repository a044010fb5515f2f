"""Following a job over Server-Sent Events, as the phone app does, on the real
API under gunicorn (the Procfile's threaded workers). Most tests drive the job
through the services the worker calls; the test and the server share the
database. The last one follows a real worker."""

import json
import time
from pathlib import Path

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework_simplejwt.tokens import AccessToken

from recipes_api.photos import services
from recipes_api.photos.failures import job_error_message
from tests.live import ApiServer, WorkerProcess, live_env

# The tiny model's answers are random but fixed for a given checkpoint, and a
# random `is_food` is a coin toss: it reads a recipe in this card, while the
# dish photo's toss came up "no food" (the job then fails with not_food). If
# a change to the tiny model or the grammar flips this one too, pick another.
PHOTO = Path(__file__).resolve().parents[2] / "fixtures" / "photos" / "recipe_card.png"
RETRY = {"retry": "1000"}


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """The API as `make run` serves it (2 workers of 4 threads), with quick
    polls, keep-alives and time limits."""
    env = live_env(JOB_EVENTS_POLL_SECONDS=0.05, JOB_EVENTS_HEARTBEAT_SECONDS=0.3, JOB_EVENTS_MAX_SECONDS=2)
    with ApiServer(env, log_dir=tmp_path_factory.mktemp("api")) as api:
        yield api


@pytest.fixture(scope="module")
def one_stream_server(django_db_setup, tmp_path_factory):
    """One API process that serves one stream at a time, for as long as its
    client stays, and writes nothing to it while nothing happens."""
    env = live_env(
        JOB_EVENTS_POLL_SECONDS=0.05, JOB_EVENTS_HEARTBEAT_SECONDS=60, JOB_EVENTS_MAX_SECONDS=60,
        JOB_EVENTS_MAX_STREAMS=1,
    )  # fmt: skip
    with ApiServer(env, workers=1, log_dir=tmp_path_factory.mktemp("api1")) as api:
        yield api


@pytest.fixture
def job_for(transactional_db, media_root, picture, monkeypatch):
    """job_for(user) -> a queued job of `user`'s, with no worker rung for it."""
    monkeypatch.setattr(services, "job_dispatch", lambda job_id, countdown=None: True)

    def make(user):
        return services.photo_accept(owner=user, upload=SimpleUploadedFile("dish.jpg", picture("JPEG")))

    return make


def auth(user) -> dict:
    return {"Authorization": f"Bearer {AccessToken.for_user(user)}"}


def follow(api: ApiServer, user, job_id, **headers) -> requests.Response:
    """Open the job's event stream as an SSE client would."""
    return requests.get(
        f"{api.url}/api/v1/jobs/{job_id}/events/",
        headers={"Accept": "text/event-stream", **(auth(user) if user else {}), **headers},
        stream=True,
        timeout=5,
    )


class Stream:
    """An event stream, block by block, as an SSE client parses it."""

    def __init__(self, response: requests.Response):
        self._lines = response.iter_lines()

    def block(self) -> dict | None:
        """The next block's fields (`comment` for a comment line); None at the end."""
        block = {}
        for line in self._lines:
            if not line:
                if block:
                    return block
                continue
            field, _, value = line.decode().partition(":")
            value = value.removeprefix(" ")
            if field == "data":
                block["data"] = json.loads(value)
            else:
                block[field or "comment"] = value
        return block or None

    def event(self) -> dict | None:
        """The next event, past comments and retry hints; None at the end."""
        while (block := self.block()) is not None:
            if "data" in block:
                return block
        return None

    def rest(self) -> list[dict]:
        """Every block up to the end of the stream."""
        return list(iter(self.block, None))


def test_it_streams_a_job_from_queued_to_its_recipe(server, alice, job_for, a_recipe):
    job = job_for(alice)

    with follow(server, alice, job.id) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/event-stream"
        assert r.headers["Cache-Control"] == "no-cache"
        assert r.headers["X-Accel-Buffering"] == "no"
        stream = Stream(r)
        seen = [stream.event()]
        claimed = services.job_claim(job_id=job.id)
        seen.append(stream.event())
        services.job_stage_set(job=claimed, stage="generating")
        seen.append(stream.event())
        services.job_heartbeat(job=claimed, tokens=12)
        seen.append(stream.event())
        services.job_heartbeat(job=claimed, tokens=40)
        seen.append(stream.event())
        services.job_heartbeat(job=claimed, tokens=40)  # only the lease moves: nothing to tell
        services.job_stage_set(job=claimed, stage="saving")
        seen.append(stream.event())
        recipe = services.job_succeed(job=claimed, recipe=a_recipe(), model_id="tiny")
        seen.append(stream.event())
        after = stream.rest()

    assert [(event["event"], event["data"]["stage"], event["data"]["tokens"]) for event in seen] == [
        ("state", "queued", 0),
        ("state", "loading", 0),
        ("state", "generating", 0),
        ("progress", "generating", 12),
        ("progress", "generating", 40),
        ("state", "saving", 40),
        ("done", "done", 40),
    ]
    assert seen[-1]["data"] == {
        "status": "succeeded", "stage": "done", "attempts": 1, "tokens": 40, "recipe": str(recipe.id), "error": None,
    }  # fmt: skip
    assert len({event["id"] for event in seen}) == len(seen)
    assert after == []  # closed at once: no keep-alive, no retry hint


def test_it_ends_with_the_error_of_a_failed_job(server, alice, job_for):
    job = job_for(alice)
    services.job_fail(job=job, code="timed_out")

    with follow(server, alice, job.id) as r:
        blocks = Stream(r).rest()

    assert blocks[0] == RETRY
    assert [block["event"] for block in blocks[1:]] == ["done"]
    assert blocks[1]["data"]["status"] == "failed"
    assert blocks[1]["data"]["error"] == {"code": "timed_out", "message": job_error_message("timed_out")}


def test_it_tells_a_client_that_has_the_final_event_to_stop(server, alice, job_for):
    job = job_for(alice)
    services.job_fail(job=job, code="timed_out")
    with follow(server, alice, job.id) as r:
        done = Stream(r).event()

    again = follow(server, alice, job.id, **{"Last-Event-ID": done["id"]})

    assert again.status_code == 204  # an EventSource stops reconnecting
    assert again.content == b""


def test_it_sends_keep_alive_comments_while_nothing_happens(server, alice, job_for):
    job = job_for(alice)

    with follow(server, alice, job.id) as r:
        stream = Stream(r)
        stream.event()
        quiet = [stream.block(), stream.block()]

    assert quiet == [{"comment": "keep-alive"}, {"comment": "keep-alive"}]


def test_it_ends_a_long_stream_with_a_retry_hint(server, alice, job_for):
    job = job_for(alice)
    started = time.monotonic()

    with follow(server, alice, job.id) as r:
        blocks = Stream(r).rest()

    assert 2 <= time.monotonic() - started < 4
    assert blocks[0] == RETRY
    assert blocks[1]["event"] == "state"
    assert blocks[-1] == RETRY
    assert all(block == {"comment": "keep-alive"} for block in blocks[2:-1])


def test_it_does_not_resend_a_state_the_client_has(server, alice, job_for):
    job = job_for(alice)
    with follow(server, alice, job.id) as r:
        queued = Stream(r).event()

    with follow(server, alice, job.id, **{"Last-Event-ID": queued["id"]}) as r:
        stream = Stream(r)
        assert stream.block() == RETRY  # connected, and the job still queued
        services.job_claim(job_id=job.id)
        first = stream.event()

    assert first["data"]["stage"] == "loading"


def test_it_hides_alices_job_from_bob_in_json(server, alice, bob, job_for):
    job = job_for(alice)

    r = follow(server, bob, job.id)

    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["error"]["code"] == "not_found"
    assert set(r.json()["error"]) == {"code", "message", "details"}


def test_it_answers_401_in_json_without_a_token(server, alice, job_for):
    job = job_for(alice)

    r = follow(server, None, job.id)

    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["error"]["code"] == "not_authenticated"


def test_it_turns_streams_away_before_they_take_every_thread(one_stream_server, alice, job_for):
    job = job_for(alice)

    with follow(one_stream_server, alice, job.id) as first:
        stream = Stream(first)  # kept: dropping it would hang up
        stream.event()
        second = follow(one_stream_server, alice, job.id)
        polled = requests.get(f"{one_stream_server.url}/api/v1/jobs/{job.id}/", headers=auth(alice), timeout=5)

    assert second.status_code == 503
    assert second.json()["error"]["code"] == "too_many_streams"
    assert int(second.headers["Retry-After"]) > 0
    assert polled.status_code == 200


def test_it_stops_a_stream_as_soon_as_its_client_hangs_up(one_stream_server, alice, job_for):
    job = job_for(alice)
    with follow(one_stream_server, alice, job.id) as first:
        Stream(first).event()

    # Nothing is written to the stream for a minute here, so only noticing the
    # hang-up between polls frees the server's one stream this soon.
    deadline = time.monotonic() + 1
    while (second := follow(one_stream_server, alice, job.id)).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.05)

    with second:
        assert second.status_code == 200
        assert Stream(second).event()["data"]["status"] == "queued"


@pytest.mark.services
def test_it_follows_a_real_worker_to_the_recipe(transactional_db, server, alice, tmp_path):
    with WorkerProcess(live_env(JOB_HEARTBEAT_SECONDS=0.2), log_dir=tmp_path) as worker:
        worker.wait_ready()
        with PHOTO.open("rb") as image:
            accepted = requests.post(f"{server.url}/api/v1/photos/", headers=auth(alice), files={"image": image})
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["id"]

        events, last_id, deadline = [], "", time.monotonic() + 120
        while not (events and events[-1]["event"] == "done") and time.monotonic() < deadline:
            with follow(server, alice, job_id, **{"Last-Event-ID": last_id}) as r:  # reconnect as a client does
                stream = Stream(r)
                while (event := stream.event()) is not None:
                    events.append(event)
                    last_id = event["id"]

    assert events[-1]["event"] == "done", worker.log()
    assert events[-1]["data"]["status"] == "succeeded"
    job = requests.get(f"{server.url}/api/v1/jobs/{job_id}/", headers=auth(alice), timeout=5).json()
    assert job["recipe"] is not None
    assert events[-1]["data"]["recipe"] == job["recipe"]
    stages = [event["data"]["stage"] for event in events]
    assert stages == sorted(stages, key=["queued", "loading", "generating", "saving", "done"].index)
    assert len({event["id"] for event in events}) == len(events)
