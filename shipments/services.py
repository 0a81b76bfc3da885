"""Writes for shipments: tracking events (the status follows the latest), dispatch and delivery,
the client's receipt confirmation and problem reports (which open a support ticket)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from portal import audit, events
from portal.db import retry_on_conflict
from portal.tasks_util import enqueue
from shipments import tasks
from shipments.models import LEFT, MOVING, Carrier, ReceiptKind, Shipment, ShipmentItem, Status, TrackingEvent
from support import selectors as support_selectors
from support import services as support_services

# Which email a status change sends (once per shipment and kind): the goods left, arrived, or did not.
NOTICE_FOR_STATUS = {
    Status.SHIPPED: "dispatched",
    Status.IN_TRANSIT: "dispatched",
    Status.OUT_FOR_DELIVERY: "dispatched",
    Status.DELIVERED: "delivered",
    Status.FAILED: "failed",
}
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)


def _refuse_nul(**values: str) -> None:
    """PostgreSQL refuses NUL in text (a 500 otherwise); the admin's forms refuse it too."""
    errors = {}
    for name, value in values.items():
        try:
            ProhibitNullCharactersValidator()(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


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
    # A year-1 time with a far-east offset is before the database's first instant: refused, not a 500.
    if occurred_at < EARLIEST_EVENT:
        raise ValidationError(_("Ora evenimentului este înainte de anul 2000."))
    external_id = external_id.strip()
    if len(external_id) > 100:
        raise ValidationError(_("id-ul extern are mai mult de 100 de caractere"))
    _refuse_nul(place=place, note=note, external_id=external_id)
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


def _ticket_ref(company: Company, public_id) -> dict | None:
    """The ticket as the shipment events name it: {"id": public id, "number": its number}."""
    ticket = support_selectors.tickets_for_detail(company=company).filter(public_id=public_id).first()
    return {"id": str(ticket.public_id), "number": ticket.number} if ticket else None


def _receipt_refused(shipment: Shipment, kind: str) -> str:
    """Why ``kind`` cannot be confirmed now ("" if it can): after a problem report only with objections."""
    if kind not in ReceiptKind.values:
        return _("Alegeți cum ați primit marfa: în stare bună sau cu obiecțiuni.")
    if shipment.status != Status.DELIVERED:
        return _("Primirea se poate confirma doar pentru o expediere livrată.")
    if kind == ReceiptKind.GOOD and shipment.problem_ticket_id is not None:
        return _("Ați raportat o problemă la expedierea %(number)s; primirea se poate confirma doar cu obiecțiuni.") % {
            "number": shipment.number
        }
    if kind == ReceiptKind.WITH_OBJECTIONS and shipment.problem_ticket_id is None:
        return _("Raportați mai întâi problema; primirea cu obiecțiuni trimite la tichetul ei.")
    return ""


@retry_on_conflict
@transaction.atomic
def shipment_confirm_receipt(
    *,
    shipment: Shipment,
    company: Company,
    user: User,
    kind: str = ReceiptKind.GOOD,
) -> tuple[Shipment, bool]:
    """The client confirms the goods arrived, once (a second confirmation changes nothing): in good order,
    or, once a problem is reported, only with objections, which refer to the problem's ticket."""
    shipment = Shipment.objects.for_company(company).select_for_update().get(pk=shipment.pk)
    if shipment.received_at is not None:
        return shipment, False
    refused = _receipt_refused(shipment, kind)
    if refused:
        raise ValidationError(refused)
    shipment.received_at, shipment.received_by, shipment.receipt_kind = timezone.now(), user, kind
    shipment.save(update_fields=["received_at", "received_by", "receipt_kind", "updated_at"])
    ticket = _ticket_ref(company, shipment.problem_ticket_id) if kind == ReceiptKind.WITH_OBJECTIONS else None
    audit.record(
        action="shipment.receipt_confirmed",
        company=company,
        user=user,
        obj=shipment,
        kind=kind,
        **({"ticket": ticket["id"]} if ticket else {}),
    )
    events.publish(
        "shipment.receipt_confirmed",
        company=company,
        obj=shipment,
        data={
            "number": shipment.number,
            "awb": shipment.awb,
            "received_at": shipment.received_at,
            "kind": kind,
            "ticket": ticket,
        },
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


# --- the ERP's side: events for a shipment named by number or AWB, whole shipments by number ---------------


def shipment_for_event(*, number: str = "", awb: str = "", carrier_code: str = "") -> Shipment:
    """The shipment a carrier's or the ERP's event names: by its number, else by its AWB (narrowed by the
    carrier's code when AWBs of two carriers collide); the carrier, when named, must be the shipment's."""
    number, awb, carrier_code = number.strip(), awb.strip(), carrier_code.strip().lower()
    _refuse_nul(shipment=number, awb=awb, carrier=carrier_code)
    carrier = None
    if carrier_code:
        carrier = Carrier.objects.filter(code=carrier_code).first()
        if carrier is None:
            raise ValidationError(_("transportatorul „%(code)s” nu există") % {"code": carrier_code})
    if number:
        shipment = Shipment.objects.select_related("carrier").filter(number=number).first()
        if shipment is None:
            raise ValidationError(_("expedierea %(number)s nu există") % {"number": number})
        if awb and shipment.awb != awb:
            raise ValidationError(_("AWB-ul %(awb)s nu este al expedierii %(number)s") % {"awb": awb, "number": number})
    elif awb:
        matches = Shipment.objects.select_related("carrier").filter(awb=awb)
        if carrier is not None:
            matches = matches.filter(carrier=carrier)
        found = list(matches[:2])
        if not found:
            raise ValidationError(_("nicio expediere cu AWB-ul %(awb)s") % {"awb": awb})
        if len(found) > 1:
            raise ValidationError(_("mai multe expedieri au AWB-ul %(awb)s; adăugați coloana carrier") % {"awb": awb})
        shipment = found[0]
    else:
        raise ValidationError(_("lipsește expedierea (shipment) sau AWB-ul (awb)"))
    if carrier is not None and shipment.carrier_id != carrier.pk:
        raise ValidationError(
            _("expedierea %(number)s nu este transportată de %(carrier)s")
            % {"number": shipment.number, "carrier": carrier.name}
        )
    return shipment


@transaction.atomic
def event_record(
    *,
    number: str = "",
    awb: str = "",
    carrier_code: str = "",
    status: str,
    occurred_at: datetime,
    place: str = "",
    note: str = "",
    external_id: str = "",
) -> tuple[TrackingEvent, bool]:
    """One event of a carrier feed (the import file's row, the API's object) for the shipment it names;
    (event, created): an event already recorded is not added again, nor is anyone told twice."""
    shipment = shipment_for_event(number=number, awb=awb, carrier_code=carrier_code)
    return event_add(
        shipment=shipment,
        status=status,
        occurred_at=occurred_at,
        place=place,
        note=note,
        external_id=external_id,
        source=TrackingEvent.Source.IMPORT,
    )


# What the ERP sets on a shipment. The status and its dates follow the tracking events; the client's
# receipt and problem report are the client's.
SHIPMENT_FIELDS = (
    "carrier",
    "awb",
    "contract",
    "project",
    "invoice",
    "delivery_address",
    "delivery_city",
    "delivery_county",
    "contact_name",
    "contact_phone",
    "packages",
    "weight_kg",
    "planned_ship_date",
    "planned_delivery_date",
    "notes",
)
ITEM_FIELDS = ("product", "code", "quantity", "unit")


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    """The error with its fields named under ``prefix`` ("items.2.quantity"), as the API's errors read."""
    if hasattr(error, "error_dict"):
        return ValidationError({f"{prefix}.{name}": messages for name, messages in error.message_dict.items()})
    return ValidationError({prefix: error.messages})


def _differs(obj: models.Model, values: dict) -> bool:
    """Whether saving ``values`` would change ``obj`` (related rows compared by id, without loading them)."""
    for name, value in values.items():
        field = obj._meta.get_field(name)
        wanted = value.pk if field.is_relation and value is not None else value
        if getattr(obj, field.attname) != wanted:
            return True
    return False


def _save_checked(obj: models.Model, *, exclude: tuple[str, ...], prefix: str = "") -> None:
    """The model's own rules, as the admin's form checks them, then save."""
    try:
        _refuse_nul(**{f.name: v for f in obj._meta.concrete_fields if isinstance(v := getattr(obj, f.attname), str)})
        obj.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        raise _prefixed(error, prefix) if prefix else error from None
    obj.save()


def _invoice_of(company: Company, ref: str):
    series, _space, number = ref.strip().rpartition(" ")
    if not (number.isascii() and number.isdigit()) or len(number) > 10:  # beyond the column: none, not a 500
        return None
    return company.invoices.filter(series=series.strip(), number=int(number)).first()


def _linked(company: Company, fields: dict) -> dict:
    """``fields`` with the carrier (by code), contract (number), project (code) and invoice ('SERIES
    NUMBER') looked up, each of this company; "" links none. Every unknown one is reported at once."""
    values, errors = dict(fields), {}
    finders = {
        "carrier": lambda ref: Carrier.objects.filter(code=ref.lower()).first(),
        "contract": lambda ref: company.contracts.filter(number=ref).first(),
        "project": lambda ref: company.projects.filter(code=ref).first(),
        "invoice": lambda ref: _invoice_of(company, ref),
    }
    for name, find in finders.items():
        ref = (values.get(name) or "").strip() if name in values else None
        if ref is None:
            continue
        _refuse_nul(**{name: ref})
        values[name] = find(ref) if ref else None
        if ref and values[name] is None:
            errors[name] = [_("„%(ref)s” nu există pentru %(company)s.") % {"ref": ref, "company": company.name}]
    if values.get("awb") and "carrier" in values and values["carrier"] is None and "carrier" not in errors:
        errors.setdefault("carrier", []).append(_("Alegeți transportatorul care a emis AWB-ul."))
    if errors:
        raise ValidationError(errors)
    return values


def _items_replace(shipment: Shipment, items: list[dict]) -> bool:
    """The ERP's whole list of items, matched with the current ones by position (the list's order): a
    product code may be missing or come twice (two lots), a position may not. Items beyond the list go."""
    current = list(ShipmentItem.objects.filter(shipment=shipment).order_by("position", "id"))
    changed = False
    for index, data in enumerate(items):
        item = current[index] if index < len(current) else ShipmentItem(shipment=shipment)
        values = {"position": index + 1, **{name: data[name] for name in ITEM_FIELDS if name in data}}
        if item.pk and not _differs(item, values):
            continue
        for name, value in values.items():
            setattr(item, name, value)
        _save_checked(item, exclude=("company", "shipment"), prefix=f"items.{index}")
        changed = True
    extra = [item.pk for item in current[len(items) :]]
    if extra:
        ShipmentItem.objects.filter(pk__in=extra).delete()
    return changed or bool(extra)


def _events_add(shipment: Shipment, events: list[dict]) -> int:
    """The events not yet recorded, each through event_add (the status and the client's emails follow)."""
    added = 0
    for index, data in enumerate(events):
        try:
            _event, created = event_add(shipment=shipment, source=TrackingEvent.Source.IMPORT, **data)
        except ValidationError as error:
            raise _prefixed(error, f"events.{index}") from None
        added += created
    return added


@transaction.atomic
def shipment_upsert(*, company: Company, number: str, fields: dict, items: list[dict], events: list[dict]) -> str:
    """The ERP's shipment, keyed by the company and its number, with its items and tracking events:
    "created", "updated" or "unchanged" (nothing written, nobody told). A bad field, item or event saves
    nothing of the shipment; a number the supplier gave another company's shipment is refused.

    ``fields`` (SHIPMENT_FIELDS) name the carrier by its code, the contract by its number, the project by
    its code and the invoice as 'SERIES NUMBER'. ``items`` are the whole list (see _items_replace).
    ``events`` (event_add's arguments) are added unless already recorded, by the carrier's event id or
    the same time and status; none is changed or removed, so staff's own and the carrier feed's stay.
    """
    _refuse_nul(number=number)
    shipment = Shipment.objects.select_for_update(of=("self",)).filter(number=number).first()
    if shipment is not None and shipment.company_id != company.pk:
        raise ValidationError({"number": _("Expedierea %(number)s este a altei companii.") % {"number": number}})
    created = shipment is None
    shipment = shipment or Shipment(company=company, number=number)
    values = _linked(company, {name: fields[name] for name in SHIPMENT_FIELDS if name in fields})
    differs = created or _differs(shipment, values)
    if differs:
        for name, value in values.items():
            setattr(shipment, name, value)
        _save_checked(shipment, exclude=("company", "carrier", "contract", "project", "offer", "invoice"))
    items_changed = _items_replace(shipment, items)
    added = _events_add(shipment, events)
    if not (differs or items_changed or added):
        return "unchanged"
    audit.record(action="shipment.imported", company=company, obj=shipment, created=created, events_added=added)
    return "created" if created else "updated"
