"""The sweep, run by every worker on a timer (JOB_SWEEP_SECONDS), and the
worker's report that it is up with its model loaded (for /readyz).

A timer in the worker rather than Celery beat: nothing more to run or to
keep single, and the sweep is safe to run from any number of workers.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone

from recipes_api.photos.sweep import jobs_sweep, worker_report
from worker import engine

logger = logging.getLogger(__name__)


class Sweeper(threading.Thread):
    def __init__(self, *, worker_name: str):
        super().__init__(name="sweeper", daemon=True)
        self.worker_name = worker_name
        self.started_at = timezone.now()
        self._stop_event = threading.Event()

    def run(self) -> None:
        # Sweep at once: jobs left behind by this worker's previous life are
        # requeued as soon as their lease allows.
        while True:
            self.tick()
            if self._stop_event.wait(settings.JOB_SWEEP_SECONDS):
                break
        connection.close()

    def tick(self) -> None:
        try:
            backend = engine.backend_loaded()
            if backend is not None:
                worker_report(name=self.worker_name, model_id=backend.model_id, started_at=self.started_at)
            jobs_sweep()
        except Exception:  # the database or broker is down: next time
            logger.warning("sweep failed; trying again in %ss", settings.JOB_SWEEP_SECONDS, exc_info=True)
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
