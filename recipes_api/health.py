"""Liveness: the process is up and serving. Touches no database on purpose,
so a slow database never gets a healthy web process restarted."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})
