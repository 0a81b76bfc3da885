"""Writes for shipments: tracking events (the status follows the latest), dispatch and delivery,
the client's receipt confirmation and problem reports (which open a support ticket)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from portal import audit, events
from portal.db import retry_on_conflict
from portal.tasks_util import enqueue
from shipments import tasks
from shipments.models import LEFT, MOVING, Carrier, Shipment, ShipmentItem, Status, TrackingEvent
from support import services as support_services

# Which email a status change sends (once per shipment and kind): the goods left, arrived, or did not.
NOTICE_FOR_STATUS = {
    Status.SHIPPED: "dispatched",
    Status.IN_TRANSIT: "dispatched",
    Status.OUT_FOR_DELIVERY: "dispatched",
    Status.DELIVERED: "delivered",
    Status.FAILED: "failed",
}


def shipment_refresh(*, shipment: Shipment) -> Shipment:
    """Recompute the status and actual dates from the events; the latest event (by its time) wins.

    Call it after any change to the events, inside the transaction that changed them. When the status
    changes to one the client is told about, the email is enqueued (it is sent once per shipment and kind).
    """
    events = list(
        TrackingEvent.objects.filter(shipment=shipment)
        .order_by("occurred_at", "id")
        .values_list("occurred_at", "status")
    )
    previous = Shipment.objects.filter(pk=shipment.pk).values_list("status", flat=True).first()
    status, last_event_at = (events[-1][1], events[-1][0]) if events else (Status.PREPARING, None)
    shipped_at = next((at for at, event_status in events if event_status in LEFT), None)
    delivered_at = events[-1][0] if status == Status.DELIVERED else None
    Shipment.objects.filter(pk=shipment.pk).update(
        status=status,
        last_event_at=last_event_at,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        updated_at=timezone.now(),
    )
    shipment.status, shipment.last_event_at = status, last_event_at
    shipment.shipped_at, shipment.delivered_at = shipped_at, delivered_at
    if status != previous and status in NOTICE_FOR_STATUS:
        enqueue(tasks.send_status_notice, shipment.pk, NOTICE_FOR_STATUS[status])
    return shipment


@transaction.atomic
def shipment_moved(*, shipment: Shipment) -> None:
    """After staff change a shipment's company, its items and events (each carries company) follow it."""
    for model in (ShipmentItem, TrackingEvent):
        model.follow_parent(shipment)


def find_duplicate(
    *, shipment: Shipment, occurred_at: datetime, status: str, carrier: Carrier | None, external_id: str
) -> TrackingEvent | None:
    """The event already recorded as this one: same carrier event id, or same shipment, time and status."""
    if external_id and carrier is not None:
        found = TrackingEvent.objects.filter(carrier=carrier, external_id=external_id).first()
        if found:
            return found
    return TrackingEvent.objects.filter(shipment=shipment, occurred_at=occurred_at, status=status).first()


@transaction.atomic
def event_add(
    *,
    shipment: Shipment,
    status: str,
    occurred_at: datetime,
    place: str = "",
    note: str = "",
    source: str = TrackingEvent.Source.STAFF,
    external_id: str = "",
    by: User | None = None,
) -> tuple[TrackingEvent, bool]:
    """Record a tracking event unless it is already recorded; returns (event, created)."""
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("carrier").get(pk=shipment.pk)
    if status not in Status.values:
        raise ValidationError(_("Starea „%(status)s” nu există.") % {"status": status})
    if timezone.is_naive(occurred_at):
        raise ValidationError(_("Ora evenimentului trebuie să aibă fus orar."))
    if occurred_at > timezone.now() + timezone.timedelta(minutes=10):
        raise ValidationError(_("Ora evenimentului este în viitor."))
    external_id = external_id.strip()
    carrier = shipment.carrier
    duplicate = find_duplicate(
        shipment=shipment, occurred_at=occurred_at, status=status, carrier=carrier, external_id=external_id
    )
    if duplicate is not None:
        if duplicate.shipment_id != shipment.pk:
            raise ValidationError(
                _("Evenimentul %(id)s al curierului este deja înregistrat la expedierea %(number)s.")
                % {"id": external_id, "number": duplicate.shipment.number}
            )
        return duplicate, False
    event = TrackingEvent.objects.create(
        company_id=shipment.company_id,
        shipment=shipment,
        occurred_at=occurred_at,
        status=status,
        place=place.strip()[:150],
        note=note.strip()[:500],
        source=source,
        carrier=carrier if external_id else None,
        external_id=external_id,
        created_by=by,
    )
    shipment_refresh(shipment=shipment)
    audit.record(
        action="shipment.event_added", company=shipment.company, user=by, obj=shipment, status=status, source=source
    )
    return event, True


@transaction.atomic
def shipment_mark_shipped(
    *,
    shipment: Shipment,
    by: User,
    at: datetime | None = None,
    place: str = "",
) -> TrackingEvent:
    """Staff hand the goods to the carrier: an "expediată" event."""
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("carrier").get(pk=shipment.pk)
    if shipment.status in LEFT:
        raise ValidationError(
            _("Expedierea %(number)s a plecat deja (%(status)s).")
            % {"number": shipment.number, "status": shipment.get_status_display()}
        )
    if shipment.carrier is None:
        raise ValidationError(
            _("Alegeți transportatorul expedierii %(number)s înainte de a o marca expediată.")
            % {"number": shipment.number}
        )
    event, _created = event_add(
        shipment=shipment, status=Status.SHIPPED, occurred_at=at or timezone.now(), place=place, by=by
    )
    return event


@transaction.atomic
def shipment_mark_delivered(
    *,
    shipment: Shipment,
    by: User,
    at: datetime | None = None,
    place: str = "",
) -> TrackingEvent:
    """Staff record the delivery: a "livrată" event."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status not in MOVING:
        raise ValidationError(
            _("Expedierea %(number)s nu este pe drum (%(status)s); nu poate fi marcată livrată.")
            % {"number": shipment.number, "status": shipment.get_status_display()}
        )
    event, _created = event_add(
        shipment=shipment,
        status=Status.DELIVERED,
        occurred_at=at or timezone.now(),
        place=place or shipment.delivery_city,
        by=by,
    )
    return event


@retry_on_conflict
@transaction.atomic
def shipment_confirm_receipt(
    *,
    shipment: Shipment,
    company: Company,
    user: User,
) -> tuple[Shipment, bool]:
    """The client confirms the goods arrived; once (a second confirmation changes nothing)."""
    shipment = Shipment.objects.for_company(company).select_for_update().get(pk=shipment.pk)
    if shipment.received_at is not None:
        return shipment, False
    if shipment.status != Status.DELIVERED:
        raise ValidationError(_("Primirea se poate confirma doar pentru o expediere livrată."))
    shipment.received_at, shipment.received_by = timezone.now(), user
    shipment.save(update_fields=["received_at", "received_by", "updated_at"])
    audit.record(action="shipment.receipt_confirmed", company=company, user=user, obj=shipment)
    events.publish(
        "shipment.receipt_confirmed",
        company=company,
        obj=shipment,
        data={"number": shipment.number, "awb": shipment.awb, "received_at": shipment.received_at},
    )
    return shipment, True


@retry_on_conflict
@transaction.atomic
def shipment_report_problem(
    *, shipment: Shipment, company: Company, user: User, description: str, attachments: Sequence = ()
):
    """Open one support ticket about the shipment; returns (ticket public id, created).

    The ticket's id is kept on the shipment under a row lock, so a double submit (or two colleagues
    at once) opens one ticket; later reports go to that ticket's conversation.
    """
    shipment = (
        Shipment.objects.for_company(company)
        .select_for_update(of=("self",))
        .select_related("carrier")
        .get(pk=shipment.pk)
    )
    if shipment.problem_ticket_id is not None:
        return shipment.problem_ticket_id, False
    description = description.strip()
    if not description:
        raise ValidationError(_("Descrieți problema."))
    details = [
        _("Expediere: %(number)s") % {"number": shipment.number},
        _("Stare: %(status)s") % {"status": shipment.get_status_display()},
    ]
    if shipment.carrier_id:
        details.append(
            _("Transportator: %(carrier)s, AWB %(awb)s")
            % {"carrier": shipment.carrier.name, "awb": shipment.awb or "—"}
        )
    ticket = support_services.ticket_open(
        company=company,
        user=user,
        subject=_("Problemă la livrarea %(number)s") % {"number": shipment.number},
        description=f"{description}\n\n" + "\n".join(details),
        category="livrare",
        priority="ridicata",
        linked=shipment,
        attachments=tuple(attachments),
    )
    shipment.problem_ticket_id, shipment.problem_reported_at = ticket.public_id, timezone.now()
    shipment.save(update_fields=["problem_ticket_id", "problem_reported_at", "updated_at"])
    audit.record(
        action="shipment.problem_reported", company=company, user=user, obj=shipment, ticket=str(ticket.public_id)
    )
    events.publish(
        "shipment.problem_reported",
        company=company,
        obj=shipment,
        data={
            "number": shipment.number,
            "awb": shipment.awb,
            "status": shipment.status,
            "ticket": {"id": str(ticket.public_id), "number": ticket.number},
        },
    )
    return ticket.public_id, True
