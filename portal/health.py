"""``/health/``: is each service the portal needs up? For load balancers and monitoring, without login.

The checks are django-health-check's (database ``SELECT 1``, cache set/get, a file written to and
deleted from the private storage, a Celery worker's ``ping``) plus our own for the Celery broker.
The answer says up or down per component and nothing else: the library's own view prints each
check's ``repr`` and exception text (a database error names its host, a Redis check its address),
and offers feeds and metrics we do not need, so the portal renders the results itself. What failed
and why goes to the log (the library logs each failure with its traceback), not to the visitor.

``/health/`` checks what every request needs; ``/health/worker/`` also asks a Celery worker to
answer (up to ``HEALTH_WORKER_TIMEOUT`` seconds), for the monitoring that should page someone when
emails and PDFs stop, and which a load balancer should not act on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable

from portal.celery import app as celery_app

LABELS = {
    "database": _("Baza de date"),
    "cache": _("Cache"),
    "storage": _("Stocarea fișierelor"),
    "broker": _("Coada de sarcini (broker)"),
    "worker": _("Procesarea sarcinilor (worker)"),
}


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """Opens a connection to the broker (Redis in production), as publishing a task would."""

    timeout = datetime.timedelta(seconds=3)

    def run(self) -> None:
        try:
            with celery_app.connection_for_write() as connection:
                connection.connect()
        except Exception as error:  # any failure to reach the broker is "down"; its text stays in the log
            raise ServiceUnavailable("broker unreachable") from error


@dataclasses.dataclass
class CeleryWorker(Ping):
    """A worker answers ``ping``. With eager tasks (no REDIS_URL) the web process runs them: up."""

    def run(self) -> None:
        if celery_app.conf.task_always_eager:
            return
        super().run()


def basic_checks() -> dict[str, HealthCheck]:
    return {"database": Database(), "cache": Cache(), "storage": Storage(), "broker": CeleryBroker()}


def worker_checks() -> dict[str, HealthCheck]:
    timeout = datetime.timedelta(seconds=settings.HEALTH_WORKER_TIMEOUT)
    return {**basic_checks(), "worker": CeleryWorker(app=celery_app, timeout=timeout)}


def run_checks(checks: dict[str, HealthCheck]) -> dict[str, bool]:
    """Runs the checks at once (each in its own thread or coroutine, with its timeout); name → up."""

    async def gather():
        return await asyncio.gather(*(check.get_result() for check in checks.values()))

    results = asyncio.run(gather())
    return {name: result.error is None for name, result in zip(checks, results, strict=True)}


def _respond(request: HttpRequest, checks: dict[str, HealthCheck]) -> HttpResponse:
    components = run_checks(checks)
    healthy = all(components.values())
    status = 200 if healthy else 503
    if request.GET.get("format") == "json" or request.get_preferred_type(["text/html", "application/json"]) == (
        "application/json"
    ):
        states = {name: "up" if up else "down" for name, up in components.items()}
        response = JsonResponse({"status": "up" if healthy else "down", "components": states}, status=status)
    else:
        rows = [{"name": name, "label": LABELS[name], "up": up} for name, up in components.items()]
        response = render(request, "portal/health.html", {"components": rows, "healthy": healthy}, status=status)
    patch_vary_headers(response, ["Accept"])
    add_never_cache_headers(response)
    return response


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    return _respond(request, basic_checks())


@require_safe
def health_worker(request: HttpRequest) -> HttpResponse:
    return _respond(request, worker_checks())
