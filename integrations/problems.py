"""Every API error as RFC 9457 problem details (``application/problem+json``), never a 500 page."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from integrations.auth import RateLimited
from portal.api import Conflict, Forbidden

logger = logging.getLogger(__name__)

TITLES = {
    400: "Invalid request",
    401: "Missing or invalid API key",
    403: "Not allowed for this key",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    429: "Too many requests",
    500: "Internal error",
}


def problem(status: int, detail: str = "", *, errors: list[dict] | None = None, headers=None) -> JsonResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type="application/problem+json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def schema_errors(exc: SchemaValidationError) -> list[dict]:
    """Pydantic's errors as {field, message}: the field is the path in the body ("invoices.3.lines.0.vat_rate")."""
    errors = []
    for error in exc.errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "payload", "query", "path", "form", "file")
        ]
        errors.append({"field": ".".join(location), "message": error.get("msg", "")})
    return errors


def django_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message} for field, messages in exc.message_dict.items() for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


def install(api) -> None:
    """Attach the handlers to the NinjaAPI."""

    @api.exception_handler(SchemaValidationError)
    def invalid(request, exc):
        return problem(400, "The request does not match the schema.", errors=schema_errors(exc))

    @api.exception_handler(DjangoValidationError)
    def refused(request, exc):
        return problem(400, "The request was refused.", errors=django_errors(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem(
            401, "Send the integration's key as 'Authorization: Bearer <key>'.", headers={"WWW-Authenticate": "Bearer"}
        )

    @api.exception_handler(Forbidden)
    def forbidden(request, exc):
        detail = (
            "This key may not call from this address."
            if str(exc) == "network"
            else f"This key lacks the scope '{exc}'."
        )
        return problem(403, detail)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(404, str(exc) or "No such object.")

    @api.exception_handler(Conflict)
    def conflict(request, exc):
        return problem(409, str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return problem(413, "The body is larger than the API accepts.")

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        # Too many fields or files in one multipart body, a malformed header: the request, not the server.
        return problem(400, "The request is malformed or has too many parts.")

    @api.exception_handler(RateLimited)
    def too_many(request, exc):
        return problem(429, "Rate limit reached; retry later.", headers={"Retry-After": str(exc.retry_after)})

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return problem(exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("API error on %s", request.path)
        return problem(500, "An unexpected error; it was logged.")


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def declare(schema: dict) -> dict:
    """Every operation's error answers in the OpenAPI schema, as problem documents: the ERP's client code and
    Schemathesis read them from there."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = [400, 401, 403, 429, 500]
            if method in ("post", "put", "patch"):
                codes += [409, 413]
            if "{" in path:
                codes.append(404)
            for code in codes:
                answer = {"description": TITLES[code], "content": content}
                if code == 429:
                    answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
                operation["responses"].setdefault(str(code), answer)
    return schema
