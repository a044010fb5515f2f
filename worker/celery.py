"""The Celery app. Configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recipes_api.settings")

app = Celery("platepilot", include=["worker.tasks", "worker.signals"])
app.config_from_object("django.conf:settings", namespace="CELERY")
