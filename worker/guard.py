"""Watching over the jobs of one running batch: the lease heartbeat, the time
limits, and the ways a generation is cut short.

While a batch runs, a thread renews the lease of each of its jobs and records
the tokens each has generated so far every JOB_HEARTBEAT_SECONDS. The model
calls each job's `on_token` at each step; that is where a generation stops
when the worker is shutting down, at the soft time limit, or when every job
of the batch has lost its claim. A worker stuck past the hard limit (inside
one forward pass, say) is failed by the heartbeat thread and killed, to be
replaced by its supervisor. The batch's jobs started together, so the time
limits count for the batch as a whole.

One job of several losing its claim does not stop the batch: whatever an
`on_token` raises ends the whole batched call (the `generate_batch`
contract), which would throw away the other jobs' work. The batch runs on,
and that job's result is dropped: the worker checks `holds(job)` before
saving, and every write is fenced by the claim in any case.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connection

from recipes_api.photos.models import Job
from recipes_api.photos.services import job_fail, job_heartbeat

logger = logging.getLogger(__name__)

# Set when the worker begins to shut down (see worker.signals).
worker_stopping = threading.Event()


class ClaimLost(Exception):
    """The job's lease was taken over: this worker must write nothing more."""


class WorkerStopping(Exception):
    """The worker is shutting down: give the jobs back to the queue."""


class SoftTimeLimit(Exception):
    """The batch ran past JOB_SOFT_TIME_LIMIT."""


class JobGuard:
    """Context manager around the claimed jobs of one batch; pass each job's
    `on_token_for(job)` to the model, and `done(job)` once it is settled."""

    def __init__(self, jobs: Sequence[Job]):
        self.jobs = list(jobs)
        self.tokens = {job.id: 0 for job in self.jobs}
        self._lost: set = set()
        self._done: set = set()
        self._stop = threading.Event()
        started = time.monotonic()
        self.soft_deadline = started + settings.JOB_SOFT_TIME_LIMIT
        self.hard_deadline = started + settings.JOB_TIME_LIMIT
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{self.jobs[0].id}", daemon=True)

    def __enter__(self) -> JobGuard:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def on_token_for(self, job: Job) -> Callable[[int], None]:
        """The `on_token` for `job`'s request: records its progress, and
        raises (stopping the batch) when the batch must not go on."""

        def on_token(tokens: int) -> None:
            self.tokens[job.id] = tokens
            self.check()

        return on_token

    def holds(self, job: Job) -> bool:
        """Whether this worker still holds `job`'s claim, as far as the last
        heartbeat knows (the fenced writes have the final word)."""
        return job.id not in self._lost

    def done(self, job: Job) -> None:
        """`job` is settled (saved, failed or given back): stop watching it."""
        self._done.add(job.id)

    def running(self) -> list[Job]:
        """The jobs neither settled nor lost: those a batch-wide failure ends."""
        return [job for job in self.jobs if job.id not in self._done and job.id not in self._lost]

    def check(self) -> None:
        """Raise if the batch must not go on (every claim lost, shutdown, soft limit)."""
        if not self.running() and any(job.id in self._lost for job in self.jobs):
            raise ClaimLost(f"every job of the batch of {self.jobs[0].id} was taken over")
        if worker_stopping.is_set():
            raise WorkerStopping()
        if time.monotonic() > self.soft_deadline:
            raise SoftTimeLimit(f"the batch of {self.jobs[0].id} ran past {settings.JOB_SOFT_TIME_LIMIT}s")

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                if time.monotonic() > self.hard_deadline:
                    self._kill()
                for job in self.running():
                    try:
                        if not job_heartbeat(job=job, tokens=self.tokens[job.id]):
                            self._lost.add(job.id)
                    except Exception:  # the database blinked: the lease has slack, try again
                        logger.warning("heartbeat for job %s failed; retrying", job.id, exc_info=True)
                        connection.close()
                        break
                if not self.running():
                    return
        finally:
            connection.close()

    def _kill(self) -> None:
        jobs = self.running()
        logger.error(
            "jobs %s ran past the hard limit of %ss; stopping this worker",
            ", ".join(str(job.id) for job in jobs),
            settings.JOB_TIME_LIMIT,
        )
        try:
            for job in jobs:
                job_fail(job=job, code="timed_out")
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
