"""Error pages: denied access is logged; a database outage answers 503 with a clear page.

While PostgreSQL restarts, every request fails with OperationalError/InterfaceError; the user gets
"try again in a minute" (503, Retry-After) rather than a generic 500. Django drops the broken
connection at the end of the request (CONN_HEALTH_CHECKS), so the app recovers without a restart.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import defaults

from portal import security_log

logger = logging.getLogger("portal.errors")


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
    if isinstance(error, OperationalError | InterfaceError):
        logger.error("event=database_unavailable path=%s error=%r", request.path, error)
        # No context processors: they would query the database that is down.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    try:
        return defaults.server_error(request)
    except Exception:  # pragma: no cover - the template is plain HTML
        return HttpResponseServerError("<h1>Server Error (500)</h1>")
