"""Webhooks: the domain events the ERP subscribed to, sent as signed JSON, retried for a day, logged.

``on_event`` (subscribed to ``portal.events`` in apps.py) writes one ``WebhookDelivery`` per endpoint that
listens to the event and enqueues ``deliver_webhook``. ``deliver`` makes one HTTP try of a due delivery
and records what the ERP answered; a try that fails is due again after a backoff (1, 2, 4 … minutes, at
most an hour apart) until a day after the event, then the delivery is failed. ``retry_due`` (Celery beat,
every minute) re-enqueues due deliveries: the schedule lives in the rows, so a worker restart, a lost
task or a broker outage delays a try and never loses it.

Each body is signed: ``X-Portal-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`` with the
endpoint's secret, the timestamp (unix seconds) in ``X-Portal-Timestamp``. docs/API.md shows a receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from integrations import tasks
from integrations.models import Integration, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal import audit
from portal.events import EVENTS, Event
from portal.tasks_util import enqueue

logger = logging.getLogger("integrations.webhooks")

RETRY_FOR = timedelta(hours=24)
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600
SIGNATURE_VERSION = "v1"
USER_AGENT = "PortalClienti-Webhooks/1"


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1 minute, doubling, at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def sign(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """``v1=<hex HMAC-SHA256 of "<timestamp>.<body>">``, the value of X-Portal-Signature."""
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


# --- endpoints ---------------------------------------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])


def clean_endpoint(url: str, events: list[str]) -> tuple[str, list[str]]:
    url = url.strip()
    try:
        _url_validator(url)
    except ValidationError as error:
        raise ValidationError({"url": _("Introduceți o adresă http:// sau https:// validă.")}) from error
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ValidationError({"events": _("Evenimente necunoscute: %(events)s") % {"events": ", ".join(unknown)}})
    if not events:
        raise ValidationError({"events": _("Alegeți cel puțin un eveniment.")})
    return url, [name for name in EVENTS if name in events]


@transaction.atomic
def webhook_endpoint_create(
    *, integration: Integration, url: str, events: list[str], is_active: bool = True, by: User | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret: returned here to be shown once."""
    url, events = clean_endpoint(url, events)
    secret = secrets.token_hex(32)
    endpoint = WebhookEndpoint.objects.create(
        integration=integration, url=url, events=events, secret=secret, is_active=is_active
    )
    audit.record(action="webhook.created", user=by, obj=endpoint, url=url, events=events)
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], is_active: bool, by: User | None = None
) -> WebhookEndpoint:
    url, events = clean_endpoint(url, events)
    endpoint.url, endpoint.events, endpoint.is_active = url, events, is_active
    endpoint.save(update_fields=["url", "events", "is_active"])
    audit.record(action="webhook.changed", user=by, obj=endpoint, url=url, events=events, active=is_active)
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, by: User | None = None) -> str:
    """A new secret, returned once; deliveries signed from now on use it (retries of older ones too)."""
    secret = secrets.token_hex(32)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
    audit.record(action="webhook.secret_rotated", user=by, obj=endpoint)
    return secret


# --- deliveries --------------------------------------------------------------------------------------------


def body_of(event: Event) -> dict:
    return {
        "id": str(event.id),
        "event": event.name,
        "occurred_at": event.occurred_at.isoformat(timespec="milliseconds"),
        "data": event.payload(),
    }


def on_event(event: Event) -> list[WebhookDelivery]:
    """The subscriber: one delivery per listening endpoint, exactly once per event id, each sent by a task."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True, integration__revoked_at__isnull=True)
        if event.name in endpoint.events  # a handful of rows: filtered here, JSON lookups differ per database
    ]
    deliveries = []
    for endpoint in endpoints:
        delivery, created = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            event_id=event.id,
            defaults={"event": event.name, "payload": body_of(event), "next_attempt_at": timezone.now()},
        )
        if created:
            enqueue(tasks.deliver_webhook, delivery.pk)
        deliveries.append(delivery)
    return deliveries


@dataclass(frozen=True)
class Answer:
    status_code: int | None = None
    response: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@transaction.atomic
def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one try; the row lock and the lease keep two workers from sending it twice."""
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("endpoint__integration")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .first()
    )
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.is_active or not endpoint.integration.is_active:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        delivery.save(update_fields=["status", "next_attempt_at"])
        WebhookAttempt.objects.create(delivery=delivery, error=_("Webhook-ul sau integrarea este dezactivată."))
        return None
    # The lease: a worker that dies during the request leaves the delivery due again after it.
    delivery.attempts += 1
    delivery.next_attempt_at = now + timedelta(seconds=timeout_seconds() + 60)
    delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx one: the body is not re-sent elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery) -> Answer:
    if urlsplit(delivery.endpoint.url).scheme not in ("http", "https"):  # urllib would also open file://
        return Answer(error="unsupported URL scheme")
    body = json.dumps(delivery.payload, separators=(",", ":"))
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        delivery.endpoint.url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Portal-Event": delivery.event,
            "X-Portal-Event-Id": str(delivery.event_id),
            "X-Portal-Timestamp": str(timestamp),
            "X-Portal-Signature": sign(delivery.endpoint.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=timeout_seconds()) as response:
            status_code, text = response.status, response.read(500)
    except urllib.error.HTTPError as error:
        status_code, text = error.code, _read_quietly(error)
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Answer(error=_describe(error), duration_ms=_since(started))
    return Answer(status_code=status_code, response=text.decode(errors="replace")[:500], duration_ms=_since(started))


def _describe(error: Exception) -> str:
    """What went wrong, for the log: e.g. "TimeoutError: timed out" or "ConnectionRefusedError: …"."""
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        error = reason
    elif reason:
        return f"{type(error).__name__}: {reason}"[:300]
    return f"{type(error).__name__}: {error}"[:300]


def _read_quietly(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read(500)
    except (OSError, http.client.HTTPException):
        return b""


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


@transaction.atomic
def _record(delivery: WebhookDelivery, answer: Answer) -> WebhookDelivery:
    WebhookAttempt.objects.create(
        delivery=delivery,
        status_code=answer.status_code,
        response=answer.response,
        error=answer.error,
        duration_ms=answer.duration_ms,
    )
    now = timezone.now()
    deadline = delivery.created_at + RETRY_FOR
    if answer.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, now, None
    elif now >= deadline:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        delivery.next_attempt_at = min(now + retry_delay(delivery.attempts), deadline)
    delivery.save(update_fields=["status", "delivered_at", "next_attempt_at"])
    logger.info(
        "event=webhook_attempt delivery=%s webhook_event=%s status_code=%s error=%r outcome=%s",
        delivery.pk,
        delivery.event,
        answer.status_code,
        answer.error,
        delivery.status,
    )
    return delivery


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """One try of a due, pending delivery; None when there was nothing to send (sent, failed, not due)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    return _record(delivery, _post(delivery))


def retry_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue a try of every pending delivery that is due (oldest first); returns how many."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        enqueue(tasks.deliver_webhook, delivery_id)
    return len(due)


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery, by: User | None = None) -> WebhookDelivery:
    """Send it again now, with the same event id (the receiver dedupes): a fresh pending try.

    A try that fails is retried as usual within the day after the event; past that day it fails again.
    """
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status, delivery.next_attempt_at, delivery.delivered_at = (
        WebhookDelivery.Status.PENDING,
        timezone.now(),
        None,
    )
    delivery.save(update_fields=["status", "next_attempt_at", "delivered_at"])
    audit.record(
        action="webhook.redelivered", user=by, obj=delivery, event=delivery.event, event_id=str(delivery.event_id)
    )
    enqueue(tasks.deliver_webhook, delivery.pk)
    return delivery
