"""Error tracking with Sentry, on only when ``SENTRY_DSN`` is set, and without personal data.

Errors from requests (Django) and tasks (Celery) go to Sentry with their stack trace. What the
portal knows about people stays here: ``send_default_pii=False`` keeps the SDK from attaching the
user, their IP and cookies; no local variables (a frame may hold a user, a form, a password); no
request bodies; and ``scrub_event`` takes out what can still slip through before an event leaves:
e-mail addresses and IP addresses anywhere in the text (log messages, exception values,
breadcrumbs), names, phone numbers and secrets by their keys, cookies and authorization headers,
query-string values and token-like URL segments (invitation tokens, password-reset keys).

Company identifiers (CUI, public ids) are business data, not personal, and stay for debugging.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

FILTERED = "[Filtered]"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b")
# A URL segment that looks like a secret: long, not a UUID (public ids are fine).
TOKEN_SEGMENT = re.compile(r"^(?![0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$)[A-Za-z0-9_\-:.=]{20,}$")

SENSITIVE_KEYS = frozenset(
    {
        "email",
        "to",
        "ip",
        "ip_address",
        "remote_addr",
        "first_name",
        "last_name",
        "full_name",
        "username",
        "author_name",
        "phone",
        "password",
        "password1",
        "password2",
        "token",
        "key",
        "secret",
        "cookie",
        "cookies",
        "authorization",
        "x-forwarded-for",
        "x-real-ip",
        "sessionid",
        "csrftoken",
    }
)
# The parts of an event whose text is scrubbed (the request and the user are handled apart).
TEXT_PARTS = ("logentry", "message", "exception", "breadcrumbs", "extra", "contexts", "tags", "transaction", "spans")
# Request headers that say nothing about the person; every other header is dropped.
SAFE_HEADERS = frozenset({"accept", "accept-encoding", "content-type", "content-length", "host", "x-forwarded-proto"})


def scrub_text(text: str) -> str:
    return IPV6.sub(FILTERED, IPV4.sub(FILTERED, EMAIL.sub(FILTERED, text)))


def scrub_path(path: str) -> str:
    return "/".join(FILTERED if TOKEN_SEGMENT.match(part) else part for part in path.split("/"))


def scrub_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(name, FILTERED) for name, _value in pairs], safe="[]")


def scrub_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=scrub_path(parts.path), query=scrub_query(parts.query)))


def scrub_value(value, key: str = ""):
    """Walks dicts, lists and strings; a sensitive key's value is replaced whole."""
    if key.lower() in SENSITIVE_KEYS and value not in (None, "", [], {}):
        return FILTERED
    if isinstance(value, dict):
        return {k: scrub_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(item) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def _scrub_request(request: dict) -> dict:
    request = dict(request)
    request.pop("cookies", None)
    request.pop("data", None)  # bodies: form fields, uploads, JSON
    request.pop("env", None)  # REMOTE_ADDR, SERVER_NAME
    headers = request.get("headers") or {}
    request["headers"] = {name: value for name, value in headers.items() if name.lower() in SAFE_HEADERS}
    if request.get("url"):
        request["url"] = scrub_url(request["url"])
    if request.get("query_string"):
        query = request["query_string"]
        request["query_string"] = scrub_query(query if isinstance(query, str) else urlencode(query))
    return request


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send`` (and ``before_send_transaction``): the event without personal data."""
    event = dict(event)
    if "request" in event:
        event["request"] = _scrub_request(event["request"])
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if "id" in user else {}
    event.pop("server_name", None)  # a host name, of no use to find a bug
    for part in TEXT_PARTS:
        if part in event:
            event[part] = scrub_value(event[part])
    if isinstance(event.get("transaction"), str):
        event["transaction"] = scrub_path(event["transaction"])
    return event


def init(*, dsn: str, environment: str, traces_sample_rate: float, release: str = "") -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
