"""Error pages: denied access is logged; a database outage answers 503 with a clear page.

While PostgreSQL restarts, every request fails with OperationalError/InterfaceError; the user gets
"try again in a minute" (503, Retry-After) rather than a generic 500. Django drops the broken
connection at the end of the request (CONN_HEALTH_CHECKS), so the app recovers without a restart.

An OperationalError is not always an outage: a transaction that lost a deadlock twice (services
retry once, portal/db.py) or waited too long for a row lock answers 409 with "someone changed the
same data at the same moment, try again", in the portal's layout. Only a database that cannot be
reached answers 503 (``portal.db.is_unreachable``).

A request that wants JSON (a path under /api/, a view marked ``@json_endpoint``, or an Accept
header that prefers application/json, as the portal's own fetch() calls send) gets the same
status with ``{"error": "..."}`` instead of an HTML page.
"""

import logging
import sys

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from portal import db, security_log

logger = logging.getLogger("portal.errors")


def json_endpoint(view):
    """Mark a view that answers JSON: its errors are answered in JSON too (``wants_json``)."""
    view.json_endpoint = True
    return view


def wants_json(request) -> bool:
    if request.path_info.startswith("/api/"):
        return True
    match = getattr(request, "resolver_match", None)
    if match is None:  # the error happened in a middleware, before the URL was resolved
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    if match is not None and getattr(match.func, "json_endpoint", False):
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def conflict_message() -> str:
    return _("Operația nu a putut fi finalizată din cauza unei modificări simultane. Încercați din nou.")


def _back_url(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("dashboard:home")


def conflict(request, error: BaseException) -> HttpResponse:
    """409: the user's change lost a race with someone else's; nothing of it was saved."""
    logger.warning("event=concurrent_update path=%s sqlstate=%s error=%r", request.path, db.sqlstate(error), error)
    if wants_json(request):
        return _json_error(conflict_message(), 409)
    try:
        return render(request, "409.html", {"message": conflict_message(), "back_url": _back_url(request)}, status=409)
    except Exception:  # pragma: no cover - the layout failed too: the message alone is enough
        logger.exception("could not render the 409 page")
        return HttpResponse(conflict_message(), status=409, content_type="text/plain; charset=utf-8")


def permission_denied(request, exception):
    security_log.denied(request, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    try:
        security_log.denied(request, 404)
    except Exception:  # never turn a 404 into a 500 because logging failed
        logger.exception("could not log a 404")
    return defaults.page_not_found(request, exception)


def server_error(request):
    error = sys.exc_info()[1]
    if error is not None and db.is_conflict(error):
        return conflict(request, error)
    if error is not None and db.is_unreachable(error):
        logger.error("event=database_unavailable path=%s error=%r", request.path, error)
        if wants_json(request):
            response = _json_error(
                _("Portalul este indisponibil pentru scurt timp. Încercați din nou peste un minut."), 503
            )
        else:
            # No context processors: they would query the database that is down.
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    if wants_json(request):
        return _json_error(_("A apărut o eroare neașteptată. Încercați din nou."), 500)
    try:
        return defaults.server_error(request)
    except Exception:  # pragma: no cover - the template is plain HTML
        return HttpResponseServerError("<h1>Server Error (500)</h1>")
