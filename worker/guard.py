"""Watching over one running job: the lease heartbeat, the time limits, and
the ways a generation is cut short.

While a job runs, a thread renews its lease and records the tokens generated
so far every JOB_HEARTBEAT_SECONDS. The model calls `on_token` at each step;
that is where a generation stops when the claim was lost (the job is no
longer this worker's), when the worker is shutting down, or at the soft time
limit. A worker stuck past the hard limit (inside one forward pass, say) is
failed by the heartbeat thread and killed, to be replaced by its supervisor.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

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
    """The worker is shutting down: give the job back to the queue."""


class SoftTimeLimit(Exception):
    """The job ran past JOB_SOFT_TIME_LIMIT."""


class JobGuard:
    """Context manager around one claimed job; pass `on_token` to the model."""

    def __init__(self, job: Job):
        self.job = job
        self.tokens = 0
        self.lost = threading.Event()
        self._done = threading.Event()
        started = time.monotonic()
        self.soft_deadline = started + settings.JOB_SOFT_TIME_LIMIT
        self.hard_deadline = started + settings.JOB_TIME_LIMIT
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job.id}", daemon=True)

    def __enter__(self) -> JobGuard:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()

    def on_token(self, tokens: int) -> None:
        """Called by the model at each decoding step; raises to stop it."""
        self.tokens = tokens
        self.check()

    def check(self) -> None:
        """Raise if the job must not go on (lost claim, shutdown, soft limit)."""
        if self.lost.is_set():
            raise ClaimLost(f"job {self.job.id} was taken over")
        if worker_stopping.is_set():
            raise WorkerStopping()
        if time.monotonic() > self.soft_deadline:
            raise SoftTimeLimit(f"job {self.job.id} ran past {settings.JOB_SOFT_TIME_LIMIT}s")

    def _beat(self) -> None:
        try:
            while not self._done.wait(settings.JOB_HEARTBEAT_SECONDS):
                if time.monotonic() > self.hard_deadline:
                    self._kill()
                try:
                    if not job_heartbeat(job=self.job, tokens=self.tokens):
                        self.lost.set()
                        return
                except Exception:  # the database blinked: the lease has slack, try again
                    logger.warning("heartbeat for job %s failed; retrying", self.job.id, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    def _kill(self) -> None:
        logger.error("job %s ran past the hard limit of %ss; stopping this worker", self.job.id, settings.JOB_TIME_LIMIT)
        try:
            job_fail(job=self.job, code="timed_out")
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
