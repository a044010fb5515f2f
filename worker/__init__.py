"""Celery app and tasks: the bridge between recipes_api and vision."""

from worker.celery import app

__all__ = ["app"]
