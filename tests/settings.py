"""Settings for the test run: the app's own settings, with test state kept
apart from a developer's data and the hub switched off."""

import os
from pathlib import Path

os.environ.setdefault("DATA_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("VISION_MODEL", "tiny")
os.environ.setdefault("VISION_MAX_NEW_TOKENS", "768")
# Rates no test reaches by accident (live API processes inherit them too);
# the throttle tests set their own.
for scope in ("REGISTER", "TOKEN", "UPLOAD", "REPORT"):
    os.environ.setdefault(f"THROTTLE_{scope}", "1000/minute")

from recipes_api.settings import *  # noqa: E402,F403
from recipes_api.settings import DATABASES, data_path  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a real worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(data_path() / "test-db.sqlite3")}
elif os.environ.get("TEST_DATABASE_NAME"):
    # Lets two checkouts run the PostgreSQL pass at once without sharing a database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
