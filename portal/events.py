"""Domain events: what a section's service tells the layers above it (the ERP's webhooks) once it commits.

A service calls ``publish("offer.accepted", company=..., obj=offer, data={...})`` inside its transaction;
when the transaction commits, every handler registered with ``subscribe`` receives the ``Event``. A rolled
back transaction publishes nothing. The floor knows no subscriber: ``integrations`` registers its own in
its ``AppConfig.ready()``, so no section depends on the apps above it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial, update_wrapper

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

EVENTS = (
    "quote_request.created",
    "quote_request.cancelled",
    "offer.accepted",
    "offer.rejected",
    "payment_notice.created",
    "ticket.created",
    "ticket.message_created",
    "shipment.receipt_confirmed",
    "shipment.problem_reported",
    "document.uploaded",
    "company.registered",
    "membership.requested",
)

# Keys every event's payload carries; a publisher's data must not hide them.
RESERVED = ("company", "object")


@dataclass(frozen=True)
class Event:
    name: str
    occurred_at: datetime
    company_id: str  # the company's public id
    company_cui: str
    company_name: str
    object_type: str  # app label and model, as in the audit log: "quotes.offer"
    object_id: str  # the object's public id
    data: dict = field(default_factory=dict)  # plain JSON: amounts and dates as strings
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def payload(self) -> dict:
        """What a receiver reads under ``data``: the company, the object, then the event's own fields."""
        return {
            "company": {"id": self.company_id, "cui": self.company_cui, "name": self.company_name},
            "object": {"type": self.object_type, "id": self.object_id},
            **self.data,
        }


Handler = Callable[[Event], None]
_subscribers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """Register ``handler`` for every event (once, however often an app's ready() runs)."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def unsubscribe(handler: Handler) -> None:
    if handler in _subscribers:
        _subscribers.remove(handler)


def publish(name: str, *, company, obj: models.Model, data: dict | None = None) -> Event:
    """Hand an event to every subscriber once the current transaction commits (now if there is none).

    An unknown name or a reserved key in ``data`` is a programming error (ValueError), raised at once so
    the calling service's test fails rather than an event going missing in production.
    """
    if name not in EVENTS:
        raise ValueError(f"Unknown event {name!r}; add it to portal.events.EVENTS")
    data = data or {}
    if reserved := set(RESERVED) & set(data):
        raise ValueError(f"Event data may not use the keys {sorted(reserved)}")
    event = Event(
        name=name,
        occurred_at=timezone.now(),
        company_id=str(company.public_id),
        company_cui=company.cui,
        company_name=company.name,
        object_type=obj._meta.label_lower,
        object_id=str(getattr(obj, "public_id", None) or obj.pk),
        # Serialised now: the objects may change before the subscribers run, and Decimal or date values
        # must reach a JSON field as strings.
        data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    )
    for handler in list(_subscribers):
        # One callback per subscriber, robust: the action has committed by then, and one subscriber's
        # failure must neither reach the user nor keep the others from hearing of it.
        # (update_wrapper: Django names the callback by its __qualname__ when it logs a failure.)
        transaction.on_commit(update_wrapper(partial(handler, event), handler), robust=True)
    return event
