"""The worker's life cycle: load the vision model before taking any job (or
exit with one clear line), sweep while running, and let a running job go
cleanly when the worker is asked to stop."""

from __future__ import annotations

import logging
import sys

from celery.signals import task_postrun, task_prerun, worker_init, worker_process_init, worker_ready, worker_shutting_down
from django.db import close_old_connections

from worker import engine
from worker.guard import worker_stopping
from worker.supervise import EXIT_MODEL_LOAD
from worker.sweeper import Sweeper

logger = logging.getLogger(__name__)


_sweeper: Sweeper | None = None


def _load_or_exit() -> None:
    try:
        engine.backend_get()
    except Exception as error:  # any failure: missing files, CUDA out of memory, a corrupt checkpoint
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(f"platepilot worker: cannot load the vision model: {type(error).__name__}: {reason}", file=sys.stderr)
        sys.exit(EXIT_MODEL_LOAD)


@worker_init.connect
def load_in_solo_worker(sender=None, **kwargs) -> None:
    # A prefork parent must not load the model (CUDA does not survive fork);
    # its children load it in worker_process_init instead.
    pool = getattr(sender, "pool_cls", "")
    pool_name = f"{getattr(pool, '__module__', '')}.{getattr(pool, '__name__', pool)}"
    if "solo" in pool_name or "thread" in pool_name:
        _load_or_exit()


@worker_process_init.connect
def load_in_pool_process(**kwargs) -> None:
    _load_or_exit()


@worker_ready.connect
def start_sweeping(sender=None, **kwargs) -> None:
    global _sweeper
    _sweeper = Sweeper(worker_name=getattr(sender, "hostname", "worker"))
    _sweeper.start()


@worker_shutting_down.connect
def stop_working(**kwargs) -> None:
    # Runs in the signal handler: only set flags here. The running job sees
    # the flag at its next token and gives itself back to the queue.
    worker_stopping.set()
    if _sweeper is not None:
        _sweeper.stop()


@task_prerun.connect
@task_postrun.connect
def drop_stale_connections(**kwargs) -> None:
    # What Django does around each request: a connection the database
    # dropped while the worker waited is replaced, not reused.
    close_old_connections()
