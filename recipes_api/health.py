"""Liveness and readiness, for the load balancer and the process manager.

`/healthz` (liveness): the process is up and serving. It touches no database
on purpose, so a slow database never gets a healthy web process restarted.

`/readyz` (readiness): this host can do its job now: the database answers,
the broker answers, and some worker has its model loaded. A 503 names what is
missing; the reasons stay in this host's log, never in the answer.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from recipes_api.photos.models import WorkerHeartbeat
from worker.celery import app

logger = logging.getLogger(__name__)

# A probe must answer before the load balancer gives up on it.
BROKER_TIMEOUT_SECONDS = 2.0


@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request):
    database = database_check()
    checks = {
        "database": database,
        "broker": broker_check(),
        # Without the database there is no knowing; "unknown" still counts as missing.
        "worker": worker_check() if database == "ok" else "unknown",
    }
    missing = [name for name, state in checks.items() if state != "ok"]
    if missing:
        return JsonResponse({"status": "unavailable", "missing": missing, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


def database_check() -> str:
    """"ok" when the database answers a query, else "unreachable"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.warning("readyz: the database does not answer", exc_info=True)
        connection.close()  # a broken connection must not be reused
        return "unreachable"
    return "ok"


def broker_check() -> str:
    """"ok" when a connection to the broker opens within
    BROKER_TIMEOUT_SECONDS (one try, no retry), else "unreachable"."""
    # Redis reads these; other transports ignore them.
    options = {"socket_connect_timeout": BROKER_TIMEOUT_SECONDS, "socket_timeout": BROKER_TIMEOUT_SECONDS}
    try:
        with app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:  # kombu raises a zoo of transport errors
        logger.warning("readyz: the broker does not answer", exc_info=True)
        return "unreachable"
    return "ok"


def worker_check() -> str:
    """"ok" when a worker reported its model loaded within
    WORKER_STALE_SECONDS; "stale" when reports exist but are all older;
    "none" when no worker ever reported; "unknown" when the reports cannot
    be read."""
    reports = WorkerHeartbeat.objects.all()
    recent = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    try:
        if reports.filter(seen_at__gte=recent).exists():
            return "ok"
        return "stale" if reports.exists() else "none"
    except Exception:
        logger.warning("readyz: cannot read the workers' reports", exc_info=True)
        return "unknown"
