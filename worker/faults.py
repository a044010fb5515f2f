"""Which failures are worth another try, and retrying database writes.

Transient: the database was locked, restarted or dropped our connection;
the broker blinked; the inference server was busy (`VisionTransient`).
Everything else is permanent for the job at hand.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from kombu.exceptions import OperationalError as BrokerError

from vision import VisionTransient

logger = logging.getLogger(__name__)

DATABASE_TRANSIENT = (OperationalError, InterfaceError)
TRANSIENT = (*DATABASE_TRANSIENT, BrokerError, VisionTransient, ConnectionError, TimeoutError)
# Seconds to wait before each new try of a database write.
DB_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)

T = TypeVar("T")


def db_retry(service: Callable[..., T], /, **kwargs) -> T:
    """Call a service, retrying while the database connection fails.

    A dropped connection (a restarted server, `pg_terminate_backend`) or a
    locked SQLite file is thrown away and the call made again on a fresh
    one. Services own their transactions, so a failed try left nothing
    behind. The last failure propagates.
    """
    for delay in DB_RETRY_DELAYS:
        try:
            return service(**kwargs)
        except DATABASE_TRANSIENT as error:
            logger.warning("database error in %s (%s); retrying in %ss", service.__name__, error, delay)
            _drop_broken_connections()
            time.sleep(delay)
    return service(**kwargs)


def _drop_broken_connections() -> None:
    # Services own their transactions, so none is open here; one that were
    # would be the caller's to end, and is left alone.
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        try:
            conn.close()
        except DatabaseError:  # closing a connection the server already dropped
            pass
