"""Load the vision model when a worker starts, not on its first job, and stop
the worker with one clear line when the model cannot be had."""

from __future__ import annotations

import sys

from celery.signals import worker_init, worker_process_init

from vision import ModelUnavailable
from worker import engine


def _load_or_exit() -> None:
    try:
        engine.backend_get()
    except ModelUnavailable as error:
        print(f"platepilot worker: {error}", file=sys.stderr)
        sys.exit(1)


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
