"""A job's progress as Server-Sent Events, for `GET /api/v1/jobs/{id}/events/`.

This only reads: the stream polls the job's row every JOB_EVENTS_POLL_SECONDS
and sends an event whenever something a client can see has changed:

    id: 1.running.generating.120
    event: progress
    data: {"status":"running","stage":"generating","attempts":1,"tokens":120,"recipe":null,"error":null}

`state` when the status, stage or attempt changed, `progress` when only the
token count grew, `done` once the job has succeeded or failed; after `done`
the stream ends. Every event carries the whole visible state, so a client
needs only the latest one.

An event's id is that visible state, not a time. The worker's heartbeat bumps
`Job.updated_at` every JOB_HEARTBEAT_SECONDS whether or not anything changed,
so an id made from it would resend states the client already has. Equal ids
mean equal states (a finished job never changes, so its status stands for its
recipe or error), which is all `Last-Event-ID` needs: a client that reconnects
is sent the current state only when it differs from the one it holds.

Under gunicorn's threaded workers a stream holds a thread, so streams are
bounded in number (JOB_EVENTS_MAX_STREAMS per process) and in time
(JOB_EVENTS_MAX_SECONDS, then a `retry:` hint), and a client that hangs up is
noticed between polls, not only at the next write.
"""

import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings

from recipes_api import errors
from recipes_api.photos.models import Job

# How long a client waits before reconnecting, in milliseconds: sent first
# (so a dropped connection is retried promptly too) and when a stream ends.
RETRY_MS = 1000
FINISHED = {Job.Status.SUCCEEDED, Job.Status.FAILED}
STATE_FIELDS = ("status", "stage", "attempts", "tokens", "recipe_id", "error_code", "error_message")


@dataclass(frozen=True)
class JobState:
    """What a client can see of a job."""

    status: str
    stage: str
    attempts: int
    tokens: int
    recipe_id: UUID | None
    error_code: str
    error_message: str

    @classmethod
    def of(cls, job: Job) -> "JobState":
        return cls(*(getattr(job, field) for field in STATE_FIELDS))

    @property
    def event_id(self) -> str:
        return f"{self.attempts}.{self.status}.{self.stage}.{self.tokens}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def data(self) -> dict:
        error = {"code": self.error_code, "message": self.error_message} if self.error_code else None
        recipe = str(self.recipe_id) if self.recipe_id else None
        return {
            "status": self.status, "stage": self.stage, "attempts": self.attempts,
            "tokens": self.tokens, "recipe": recipe, "error": error,
        }  # fmt: skip


def job_state(*, job_id: UUID) -> JobState | None:
    """The job's visible state as the database has it now; None if it is gone."""
    row = Job.objects.filter(id=job_id).values_list(*STATE_FIELDS).first()
    return JobState(*row) if row else None


def job_event_stream(
    *, job: Job, last_event_id: str = "", client: socket.socket | None = None
) -> "EventStream | None":
    """The events of `job` for a client whose last event had `last_event_id`,
    as an iterable of text for a streaming response; `client` is the client's
    socket where the server exposes it, to notice a hang-up between polls.

    Precondition: the caller has checked that the client may see `job`.
    Returns None when the job has finished and the client already has its
    final event: there is nothing left to say. Raises a 503 `DomainError` when
    this process already serves JOB_EVENTS_MAX_STREAMS streams.
    """
    state = JobState.of(job)
    if state.finished and state.event_id == last_event_id:
        return None
    if not _slots.take():
        raise errors.DomainError(
            f"Too many progress streams are open. Poll /api/v1/jobs/{job.id}/ instead.",
            code="too_many_streams",
            status=503,
            retry_after=max(1, round(settings.JOB_EVENTS_MAX_SECONDS)),
        )
    return EventStream(_events(job.id, state, last_event_id, _Client(client)))


def _events(job_id: UUID, state: JobState | None, seen: str, client: "_Client") -> Iterator[str]:
    started = last_write = time.monotonic()
    # The first chunk also sends the headers, before there is any news.
    yield f"retry: {RETRY_MS}\n\n"
    previous = None
    while state is not None:  # None: the job was deleted
        if state.event_id != seen:
            yield _event(_event_name(previous, state), state)
            seen, last_write = state.event_id, time.monotonic()
            if state.finished:
                return
        previous = state
        now = time.monotonic()
        left = settings.JOB_EVENTS_MAX_SECONDS - (now - started)
        if left <= 0:
            yield f"retry: {RETRY_MS}\n\n"
            return
        if now - last_write >= settings.JOB_EVENTS_HEARTBEAT_SECONDS:
            yield ": keep-alive\n\n"
            last_write = now
        if not client.wait(min(settings.JOB_EVENTS_POLL_SECONDS, left)):
            return
        state = job_state(job_id=job_id)


def _event_name(previous: JobState | None, state: JobState) -> str:
    if state.finished:
        return "done"
    same_step = previous and (previous.status, previous.stage, previous.attempts) == (
        state.status, state.stage, state.attempts
    )
    return "progress" if same_step else "state"


def _event(name: str, state: JobState) -> str:
    data = json.dumps(state.data(), separators=(",", ":"))
    return f"id: {state.event_id}\nevent: {name}\ndata: {data}\n\n"


class EventStream:
    """The body of one stream: holds a stream slot until the events end or
    the server closes the response (client gone, shutdown), whichever comes
    first, even if it never started sending."""

    def __init__(self, events: Iterator[str]):
        self._events = events
        self._open = True

    def __iter__(self) -> Iterator[str]:
        try:
            yield from self._events
        finally:
            # Here, not only in close(): the slot is free before the server
            # writes the body's end, so a client that reconnects at once finds it.
            self.close()

    def close(self) -> None:
        if self._open:
            self._open = False
            self._events.close()
            _slots.give_back()


class _StreamSlots:
    """How many streams this process is serving, up to JOB_EVENTS_MAX_STREAMS."""

    def __init__(self):
        self._lock = threading.Lock()
        self.taken = 0

    def take(self) -> bool:
        with self._lock:
            if self.taken >= settings.JOB_EVENTS_MAX_STREAMS:
                return False
            self.taken += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.taken -= 1


_slots = _StreamSlots()


class _Client:
    """The client's end of the connection, watched between polls.

    gunicorn hands the request's socket over in the environ; without it (the
    test client, or TLS, where peeking is not possible) a hang-up is only
    noticed when a write fails, at the next event or keep-alive.
    """

    def __init__(self, sock: socket.socket | None):
        self._sock = None if isinstance(sock, ssl.SSLSocket) else sock
        self._poll = None
        if self._sock is not None:
            self._poll = select.poll()
            self._poll.register(self._sock, select.POLLIN | select.POLLPRI)

    def wait(self, seconds: float) -> bool:
        """Sleep `seconds`; False, as soon as it happens, if the client hung up."""
        if self._poll is None:
            time.sleep(seconds)
            return True
        if not self._poll.poll(round(seconds * 1000)):
            return True
        try:
            if self._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                return False
        except BlockingIOError:
            pass
        except OSError:
            return False
        # The client sent more (a pipelined request): it waits its turn, and
        # this stream must not spin on a socket that stays readable.
        time.sleep(seconds)
        return True
