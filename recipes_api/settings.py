"""Django settings, read from the environment.

Every knob has an embedded default that runs on one laptop with no server:
SQLite, a folder-backed Celery broker, and all runtime state (database,
broker queue, media, models, secret key) under one data folder, DATA_DIR.
Production sets PRODUCTION=true, which demands an explicit SECRET_KEY and
turns the HTTPS settings on, and DATABASE_URL, CELERY_BROKER_URL, CACHE_URL
and friends. The README's configuration table lists every variable read here.
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

from vision.schema import Allergen, Course, Diet, Source

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def env_int(name: str, default: int) -> int:
    return int(env_str(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(env_str(name, str(default)))


def env_bool(name: str, default: bool) -> bool:
    return env_str(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()


def data_path(*parts: str) -> Path:
    """A folder under DATA_DIR, created on first use."""
    path = DATA_DIR.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


# The exit status of a process that refuses its configuration: 3, like a worker
# that cannot load its model, so that neither gunicorn (a worker that fails to
# boot halts it) nor worker.supervise starts it again to fail the same way.
EXIT_CONFIG = 3


def refuse(reason: str) -> None:
    """Stop the process with one clear line instead of a traceback."""
    print(f"platepilot: {reason}", file=sys.stderr, flush=True)
    sys.exit(EXIT_CONFIG)


PRODUCTION = env_bool("PRODUCTION", False)


def secret_key() -> str:
    """SECRET_KEY from the environment, else (outside production only) one
    made once and kept in DATA_DIR."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if PRODUCTION:
        # A key file per host would make each host refuse the others' tokens.
        refuse("PRODUCTION=true needs SECRET_KEY: set the same secret on every API host and worker.")
    key_file = data_path() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "recipes_api.accounts",
    "recipes_api.photos",
    "recipes_api.recipes",
    # After the apps whose admin pages they replace (jobs, users, tokens).
    "recipes_api.sharing",
    "recipes_api.moderation",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out admin login into a 429.
    "axes.middleware.AxesMiddleware",
]

# django-axes counts failed admin logins (in the database: its cache handler
# needs an atomic cache, which the default file cache is not) and locks out
# an IP and username pair after ADMIN_LOGIN_FAILURES for
# ADMIN_LOGIN_COOLOFF_MINUTES; the attempts show in the admin. It watches the
# admin only: the API's token endpoint has its own throttle ("token").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "recipes_api.urls"
WSGI_APPLICATION = "recipes_api.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{data_path() / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The API and the worker are separate processes writing one file: WAL lets
    # readers run beside the writer, IMMEDIATE stops lock-upgrade deadlocks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "recipes_api.accounts.passwords.NotBlankValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- files --------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = data_path("static")
# Media has no URL on purpose: photos are private and only ever read by the
# worker or through an authenticated view, never by a guessable public path.
MEDIA_ROOT = data_path("media")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 20 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000)
PHOTO_MIN_SIDE = env_int("PHOTO_MIN_SIDE", 256)
PHOTO_MAX_ASPECT = env_float("PHOTO_MAX_ASPECT", 6.0)
PHOTO_MAX_SIDE = env_int("PHOTO_MAX_SIDE", 1600)  # the working copy the model reads
PHOTO_THUMBNAIL_SIDE = env_int("PHOTO_THUMBNAIL_SIDE", 384)
PHOTO_KEEP_ORIGINAL = env_bool("PHOTO_KEEP_ORIGINAL", False)
# One upload may carry this many `image` parts, read as one recipe, in order.
PHOTO_MAX_PER_JOB = env_int("PHOTO_MAX_PER_JOB", 4)
# How long an upload's Idempotency-Key is remembered, in seconds.
IDEMPOTENCY_KEY_TTL = env_int("IDEMPOTENCY_KEY_TTL", 86400)
# How long the signed image/thumbnail URLs in a photo object stay valid.
PHOTO_URL_TTL = env_int("PHOTO_URL_TTL", 3600)

# Media goes through Django's storage API only, so where it lives is this one
# switch: "local" (files under DATA_DIR/media, served by the signed-URL route)
# or "s3" (any S3-compatible bucket, served by its own presigned URLs). API and
# worker hosts must agree; with s3 they share nothing on disk.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    if not os.environ.get("S3_BUCKET"):
        refuse("MEDIA_STORAGE=s3 needs S3_BUCKET.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            # Unset: AWS itself; set for MinIO, Ceph, R2 and friends.
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            # Unset: boto3's own chain (instance role, AWS_* variables, ~/.aws).
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "") or None,
            "signature_version": "s3v4",
            # Private objects, reached only through presigned URLs that expire
            # with the photo object's own URLs.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": PHOTO_URL_TTL,
            "file_overwrite": True,  # names are photo ids: a new photo never meets an old name
        },
    }
elif MEDIA_STORAGE != "local":
    refuse("MEDIA_STORAGE must be local or s3.")
# Django refuses bodies over this before any view runs; leave room for the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- API ----------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recipes_api.accounts.authentication.AccessTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "recipes_api.openapi.ErrorsDocumentedSchema",
    "DEFAULT_PAGINATION_CLASS": "recipes_api.pagination.NewestFirstPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "recipes_api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Platepilot API",
    "DESCRIPTION": "Photo of a dish or a recipe card in, structured recipe out.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Object ids in paths (recipes_api/not_found.py) are UUIDs to clients.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "string", "format": "uuid"}},
    # The docs UI from our own static files: no CDN, so it works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Stable enum names for the phone team's generated client.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "recipes_api.photos.models.Job.Status",
        "JobStageEnum": "recipes_api.photos.models.Job.Stage",
        "RecipeModeEnum": "recipes_api.photos.models.Job.Mode",
        # The recipe's enums are served by value (see recipes/schema_fields.py).
        **{f"{enum.__name__}Enum": [member.value for member in enum] for enum in (Allergen, Course, Diet, Source)},
    },
}

# --- recipes ------------------------------------------------------------------

# Deleted recipes are remembered (as tombstones) this many days, for phones
# that sync with `updated_since`; an older `updated_since` is 410 sync_expired.
RECIPE_TOMBSTONE_DAYS = env_int("RECIPE_TOMBSTONE_DAYS", 30)

# --- cache and throttles ------------------------------------------------------

# The throttles count in this cache, so every API process must share it:
# Redis (CACHE_URL=redis://...) across hosts; unset, files under DATA_DIR,
# which the gunicorn processes of one host share.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A stuck Redis must fail a request, not hang it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif CACHE_URL:
    refuse("CACHE_URL must start with redis://, rediss:// or unix://.")
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": data_path("cache")}
    }

# Register and token (obtain and refresh) count per client IP, against
# password guessing and sign-up floods; upload counts per user (see
# recipes_api/throttles.py). DRF reads and rewrites a list per client, so a
# burst of simultaneous requests can slip a few past the rate; the locked
# in-flight cap (JOB_MAX_IN_FLIGHT) is what bounds the work one user queues.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["recipes_api.throttles.FairUseThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "register": env_str("THROTTLE_REGISTER", "20/hour"),
    "token": env_str("THROTTLE_TOKEN", "10/minute"),
    "upload": env_str("THROTTLE_UPLOAD", "30/hour"),
    # Reports of shared recipes, per user (the API) or per IP (the share page's form).
    "report": env_str("THROTTLE_REPORT", "20/hour"),
}
# How many proxies in front of the API append to X-Forwarded-For; the client
# IP is the address the outermost of them saw. 0: trust no header, use the
# peer address (right when nothing sits in front, wrong behind a proxy: every
# client would share the proxy's address).
REST_FRAMEWORK["NUM_PROXIES"] = env_int("NUM_PROXIES", 0)

# --- jobs ---------------------------------------------------------------------

# A job is tried at most this many times (crashes, lost leases and transient
# failures all count) before it fails with `attempts_exhausted`.
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
# A worker holds a job for this long without news; its heartbeat renews the
# lease (and records progress) every JOB_HEARTBEAT_SECONDS while it works.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60)
JOB_HEARTBEAT_SECONDS = env_float("JOB_HEARTBEAT_SECONDS", 2.0)
# Every worker sweeps this often (see recipes_api/photos/sweep.py).
JOB_SWEEP_SECONDS = env_float("JOB_SWEEP_SECONDS", 15.0)
# A queued job whose doorbell is older than this is rung again.
JOB_REDISPATCH_SECONDS = env_int("JOB_REDISPATCH_SECONDS", 300)
# At the soft limit the job fails with `timed_out`; at the hard limit a
# worker stuck inside the model is killed and replaced.
JOB_SOFT_TIME_LIMIT = env_int("JOB_SOFT_TIME_LIMIT", 900)
JOB_TIME_LIMIT = env_int("JOB_TIME_LIMIT", 960)
# Transient failures are retried after JOB_RETRY_BACKOFF_SECONDS, doubling.
JOB_RETRY_BACKOFF_SECONDS = env_float("JOB_RETRY_BACKOFF_SECONDS", 2.0)
# Jobs one user may have queued or running at once (0: no cap).
JOB_MAX_IN_FLIGHT = env_int("JOB_MAX_IN_FLIGHT", 5)
JOB_IN_FLIGHT_RETRY_AFTER = env_int("JOB_IN_FLIGHT_RETRY_AFTER", 15)
# /readyz wants a worker that reported its model loaded within this time.
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 60)
# Progress streams (GET /api/v1/jobs/{id}/events/): each open stream holds
# one gunicorn thread and polls its job every JOB_EVENTS_POLL_SECONDS, sends a
# keep-alive comment every JOB_EVENTS_HEARTBEAT_SECONDS of silence, and ends
# after JOB_EVENTS_MAX_SECONDS with a hint to reconnect. An API process serves
# at most JOB_EVENTS_MAX_STREAMS at once (more get 503), so that streams never
# take every thread: keep it below gunicorn's --threads.
JOB_EVENTS_POLL_SECONDS = env_float("JOB_EVENTS_POLL_SECONDS", 0.5)
JOB_EVENTS_HEARTBEAT_SECONDS = env_float("JOB_EVENTS_HEARTBEAT_SECONDS", 15.0)
JOB_EVENTS_MAX_SECONDS = env_float("JOB_EVENTS_MAX_SECONDS", 60.0)
JOB_EVENTS_MAX_STREAMS = env_int("JOB_EVENTS_MAX_STREAMS", 2)

# --- worker -------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server: messages are files in the data folder.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(data_path("broker", "queue")),
        "data_folder_out": str(data_path("broker", "queue")),
        "processed_folder": str(data_path("broker", "processed")),
        "control_folder": str(data_path("broker", "control")),
        "store_processed": False,
        "polling_interval": 0.1,
    }
else:
    # Redis hands an unacknowledged message to another worker after this;
    # it must outlast the longest job, or a slow job would run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": max(3600, 2 * JOB_TIME_LIMIT)}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "platepilot")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # the Job row is the result; there is no result backend
# Celery's pools that support time limits enforce these; the solo pool that
# `make worker` runs does not, so the task enforces the same two itself.
CELERY_TASK_SOFT_TIME_LIMIT = JOB_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = JOB_TIME_LIMIT
# An upload must not hang on a broker that is down: one quick retry, then the
# job stays queued for the sweep. A worker, though, waits for the broker forever.
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- vision -------------------------------------------------------------------

VISION_BACKEND = env_str("VISION_BACKEND", "transformers")
VISION_MODEL = env_str("VISION_MODEL", "Qwen/Qwen3-VL-2B-Instruct")
VISION_DEVICE = env_str("VISION_DEVICE", "auto")
VISION_DTYPE = env_str("VISION_DTYPE", "auto")
VISION_MAX_NEW_TOKENS = env_int("VISION_MAX_NEW_TOKENS", 2048)
VISION_MAX_VISUAL_TOKENS = env_int("VISION_MAX_VISUAL_TOKENS", 1024)
# CPU threads of one worker's torch; unset (or 0) leaves torch's choice, one
# per core, which two workers on one small machine would fight over.
VISION_TORCH_THREADS = env_int("VISION_TORCH_THREADS", 0) or None
# Jobs one worker claims and decodes as one batch; unset (or 0): 8 on CUDA,
# 1 elsewhere, where the rows of a batch would only take turns on the cores.
VISION_BATCH_SIZE = env_int("VISION_BATCH_SIZE", 0) or None
# off | static (static KV cache + torch.compile, CUDA only) | static-eager.
VISION_FAST_PATH = env_str("VISION_FAST_PATH", "off")
VISION_MODELS_DIR = data_path("models")

# VISION_BACKEND=openai: an OpenAI-compatible server (vLLM, SGLang) serving
# VISION_MODEL by that name. Timeouts are per read of the streamed answer.
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "http://127.0.0.1:8001/v1")
OPENAI_API_KEY = env_str("OPENAI_API_KEY", "")
OPENAI_TIMEOUT_SECONDS = env_float("OPENAI_TIMEOUT_SECONDS", 60.0)
OPENAI_MAX_RETRIES = env_int("OPENAI_MAX_RETRIES", 3)
# Pixels per visual token of the served model, for the resize before sending:
# 784 (28x28) for Qwen2-VL and Qwen2.5-VL, 1024 (32x32) for Qwen3-VL.
OPENAI_PIXELS_PER_TOKEN = env_int("OPENAI_PIXELS_PER_TOKEN", 28 * 28)
# Requests one worker keeps in flight, so the server can batch them.
VISION_CONCURRENCY = env_int("VISION_CONCURRENCY", 8)

# --- sharing and moderation ---------------------------------------------------

# A recipe whose model confidence is below this enters the moderation queue
# flagged `low_confidence`.
MODERATION_MIN_CONFIDENCE = env_float("MODERATION_MIN_CONFIDENCE", 0.3)
# Comma-separated words (whole words, any case) that flag a recipe's text
# `word_list`; empty: no word list.
MODERATION_WORDS = [word.lower() for word in env_list("MODERATION_WORDS", "")]

# --- security -----------------------------------------------------------------

# Secure by default in production, each one overridable. The TLS proxy in
# front must set X-Forwarded-Proto, or every request would be redirected.
if env_bool("SECURE_PROXY_SSL_HEADER", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# A load balancer probes over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# Asks browsers' preload lists to take the domain (once it is submitted);
# leaving them again takes months, so set it false if that is not yet meant.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)

# --- logging ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every admin login at INFO; lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
