"""Settings for the test run: the app's own settings, with test state kept
apart from a developer's data and the hub switched off."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("VISION_MODEL", "tiny")
os.environ.setdefault("VISION_MAX_NEW_TOKENS", "768")
# Rates no test reaches by accident (live API processes inherit them too);
# the throttle tests set their own.
for scope in ("REGISTER", "TOKEN", "UPLOAD", "REPORT"):
    os.environ.setdefault(f"THROTTLE_{scope}", "1000/minute")


def _own_redis_db(url: str, worker: int) -> str:
    """`url` moved down 2 * `worker` Redis databases: the broker's 15 and the
    cache's 14 (`make test`) become 13 and 12 for the second test worker.
    Other URLs are left as they are (the folder broker and the file cache
    live in the data folder, which is the worker's own)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or worker == 0:
        return url
    db = int(parts.path.strip("/") or 0) - 2 * worker
    if db < 0:
        raise RuntimeError(f"too many test workers for the Redis databases below {url}")
    return urlunsplit(parts._replace(path=f"/{db}"))


# Under pytest-xdist each test process (gw0, gw1, ...) keeps its state apart:
# its own data folder (SQLite database, folder broker, file cache, tiny model)
# and its own Redis broker and cache databases, so that the live workers one
# test process starts never take another's jobs. pytest-django gives each its
# own test database. The environment, not only the settings, carries it: the
# API and worker processes the tests start inherit it.
if _xdist_worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["DATA_DIR"] = str(Path(os.environ["DATA_DIR"]) / _xdist_worker)
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        if os.environ.get(name):
            os.environ[name] = _own_redis_db(os.environ[name], int(_xdist_worker.removeprefix("gw")))

from recipes_api.settings import *  # noqa: E402,F403
from recipes_api.settings import DATABASES, data_path  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(data_path() / "test-db.sqlite3")}
elif os.environ.get("TEST_DATABASE_NAME"):
    # Lets two checkouts run the PostgreSQL pass at once without sharing a database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
