"""`python -m tests.services_up`: are the database, broker and cache of this
environment reachable? The service-backed test pass needs all three. In CI a
missing service fails the run; elsewhere it is reported and skipped."""

import os
import sys

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from worker.celery import app

    problems = []
    try:
        connection.ensure_connection()
    except Exception as error:
        problems.append(f"database: {error}")
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1)
    except Exception as error:
        problems.append(f"broker: {error}")
    try:
        cache.get("services-up")
    except Exception as error:
        problems.append(f"cache: {error}")
    if not problems:
        return 0
    for problem in problems:
        print(f"services unreachable -> {problem}", file=sys.stderr)
    if os.environ.get("CI"):
        return 1
    print("skipping the PostgreSQL + Redis test pass (start them to run it; CI always does)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
