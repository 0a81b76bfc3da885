"""The ERP's side of shipments in the API: shipments with their items and tracking events pushed in (by
number), tracking events alone (by shipment number or AWB, the carrier feed file's path), and what clients
reported about deliveries (receipt confirmed, a problem), pulled by cursor."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.models import Company
from portal import audit
from portal.api import BulkOut, BulkResult, error_messages, require
from portal.api_paging import Page, PullParams, cut, window
from portal.api_refs import CompanyRef, Person, company_ref, person
from shipments import selectors, services
from shipments.models import Shipment, Status
from support import selectors as support_selectors

router = Router(tags=["Expedieri"])
MAX_BULK = 1000


class ShipmentRef(Schema):
    public_id: UUID
    number: str
    awb: str
    carrier: str | None = Field(..., description="The carrier's code (e.g. fan-courier)")


class TicketRef(Schema):
    public_id: UUID
    number: str


class ShipmentReportOut(Schema):
    kind: Literal["receipt_confirmed", "problem_reported"]
    shipment: ShipmentRef
    company: CompanyRef
    at: datetime = Field(..., description="When the client reported it")
    by: Person | None
    receipt_kind: Literal["good", "with_objections"] | None = Field(
        ...,
        description="A receipt's kind: in good order, or with objections (after a problem report, whose "
        "ticket it names); null for a problem",
    )
    text: str = Field(..., description="The problem as the client described it; empty for a receipt")
    ticket: TicketRef | None = Field(
        ..., description="The support ticket a problem opened (see /tickets), also on a receipt with objections"
    )
    updated_at: datetime = Field(..., description="`at`: the list's order and `updated_since`")


class ShipmentReportPage(Page[ShipmentReportOut]):
    pass


def _report_out(shipment: Shipment, tickets: dict) -> ShipmentReportOut:
    receipt = shipment.report_kind == selectors.RECEIPT
    objections = receipt and shipment.receipt_kind == Shipment.ReceiptKind.WITH_OBJECTIONS
    ticket = tickets.get(shipment.problem_ticket_id) if objections or not receipt else None
    if receipt:
        by, text = shipment.received_by, ""
    else:
        by, text = (ticket.opened_by, ticket.description) if ticket else (None, "")
    return ShipmentReportOut(
        kind=shipment.report_kind,
        shipment=ShipmentRef(
            public_id=shipment.public_id,
            number=shipment.number,
            awb=shipment.awb,
            carrier=shipment.carrier.code if shipment.carrier else None,
        ),
        company=company_ref(shipment.company),
        at=shipment.pull_at,
        by=person(by),
        receipt_kind=shipment.receipt_kind if receipt else None,
        text=text,
        ticket=TicketRef(public_id=ticket.public_id, number=ticket.number) if ticket else None,
        updated_at=shipment.pull_at,
    )


@router.get("/shipment-reports", response=ShipmentReportPage, summary="Receipts and delivery problems clients reported")
def shipment_reports(request, params: Query[PullParams]):
    """One item per report: a client confirming a shipment arrived, or reporting a problem with it (which
    opens a support ticket; its text and author are the ticket's). A shipment keeps the time of each
    (`received_at`, `problem_reported_at`), set once: the list is ordered by that time, then by shipment and
    kind. Three queries a page, whatever its length."""
    require(request, "shipments")
    found = [
        *window(selectors.reports_for_erp(selectors.RECEIPT), params, at="pull_at", key="pull_key"),
        *window(selectors.reports_for_erp(selectors.PROBLEM), params, at="pull_at", key="pull_key"),
    ]
    found.sort(key=lambda shipment: (shipment.pull_at, shipment.pull_key))
    rows, cursor = cut(found, params, at="pull_at", key="pull_key")
    tickets = support_selectors.tickets_by_public_id(row.problem_ticket_id for row in rows)
    return ShipmentReportPage(items=[_report_out(row, tickets) for row in rows], next_cursor=cursor)


# --- the ERP pushes shipments and tracking events ----------------------------------------------------------

StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]


class ShipmentEventIn(Schema):
    time: datetime = Field(..., description="When it happened, with its offset: 2026-03-14T09:30:00+02:00")
    status: StatusCode  # type: ignore[valid-type]
    place: str = Field("", max_length=150)
    note: str = Field("", max_length=500)
    external_id: str = Field(
        "", max_length=100, description="The carrier's own id of the event: with the carrier, what identifies it"
    )


class ShipmentItemIn(Schema):
    product: str = Field(..., min_length=1, max_length=200)
    code: str = Field("", max_length=50, description="The product's code; may repeat (two lots) or be empty")
    quantity: Decimal = Field(..., gt=0, max_digits=12, decimal_places=3)
    unit: str = Field("buc.", min_length=1, max_length=16)


class ShipmentIn(Schema):
    cui: str = Field(..., description="The client company's CUI, with or without RO")
    number: str = Field(..., min_length=1, max_length=50, description="The shipment's number, unique at the supplier")
    carrier: str = Field("", max_length=32, description="The carrier's code (e.g. fan-courier); required with an AWB")
    awb: str = Field("", max_length=50)
    contract: str = Field("", max_length=50, description="The company's contract, by its number")
    project: str = Field("", max_length=32, description="The company's project, by its code")
    invoice: str = Field("", max_length=40, description="The company's invoice, as 'SERIES NUMBER'")
    delivery_address: str = Field(..., min_length=1, max_length=255)
    delivery_city: str = Field(..., min_length=1, max_length=100)
    delivery_county: str = Field(..., min_length=1, max_length=100)
    contact_name: str = Field("", max_length=120)
    contact_phone: str = Field("", max_length=32)
    packages: int = Field(1, ge=1, le=100000)
    weight_kg: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    planned_ship_date: date | None = None
    planned_delivery_date: date | None = None
    notes: str = Field("", max_length=3000, description="Shown to the client")
    items: list[ShipmentItemIn] = Field(
        default_factory=list, max_length=MAX_BULK, description="The whole list, in order; matched by position"
    )
    events: list[ShipmentEventIn] = Field(
        default_factory=list, max_length=MAX_BULK, description="Added unless already recorded; never removed"
    )


class ShipmentsIn(Schema):
    shipments: list[ShipmentIn] = Field(..., min_length=1, max_length=MAX_BULK)


class TrackingEventIn(ShipmentEventIn):
    shipment: str = Field("", max_length=50, description="The shipment's number (this or awb)")
    awb: str = Field("", max_length=50, description="The carrier's AWB (this or shipment)")
    carrier: str = Field("", max_length=32, description="The carrier's code: checked, and narrows an AWB")


class TrackingEventsIn(Schema):
    events: list[TrackingEventIn] = Field(..., min_length=1, max_length=MAX_BULK)


def _event_args(event: ShipmentEventIn) -> dict:
    return {
        "occurred_at": event.time,
        "status": event.status,
        "place": event.place,
        "note": event.note,
        "external_id": event.external_id,
    }


def upsert_one(item: ShipmentIn) -> BulkResult:
    key = f"{item.cui} {item.number}"
    company = Company.objects.with_cui(item.cui).first()
    if company is None:
        return BulkResult(
            key=key,
            result="rejected",
            status=400,
            errors=[_("compania cu CUI „%(cui)s” nu există") % {"cui": item.cui}],
        )
    try:
        with transaction.atomic():
            outcome = services.shipment_upsert(
                company=company,
                number=item.number,
                fields=item.dict(include=set(services.SHIPMENT_FIELDS)),
                items=[line.dict() for line in item.items],
                events=[_event_args(event) for event in item.events],
            )
    except ValidationError as error:
        return BulkResult(key=key, result="rejected", status=400, errors=error_messages(error))
    return BulkResult(key=key, result=outcome, status=201 if outcome == "created" else 200)


@router.post("/shipments/bulk", response=BulkOut, summary="Push up to 1,000 shipments with items and events")
def shipments_bulk(request, payload: ShipmentsIn):
    """Each shipment is created, updated or recognised ("unchanged") on its own, by its company's CUI and its
    number. Its items are the whole list, matched by position (the list's order). Its tracking events are
    added unless already recorded (the same carrier event id, or the same time and status); the status
    follows the latest and the client is emailed as when staff record it, once. One bad shipment saves
    nothing of itself and blocks none of the others."""
    require(request, "shipments", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[upsert_one(item) for item in payload.shipments])


def record_one(event: TrackingEventIn) -> BulkResult:
    key = f"{event.shipment or event.awb} {event.status} {event.time.isoformat()}"
    try:
        with transaction.atomic():
            _event, created = services.event_record(
                number=event.shipment, awb=event.awb, carrier_code=event.carrier, **_event_args(event)
            )
    except ValidationError as error:
        return BulkResult(key=key, result="rejected", status=400, errors=error_messages(error))
    return BulkResult(key=key, result="created" if created else "unchanged", status=201 if created else 200)


@router.post(
    "/shipments/tracking-events/bulk", response=BulkOut, summary="Push up to 1,000 tracking events of shipments"
)
def tracking_events_bulk(request, payload: TrackingEventsIn):
    """The carrier feed file's path (`manage.py import_tracking_events`): each event names its shipment by
    number, or by AWB (with the carrier's code when two carriers' AWBs collide). An event already recorded
    (the same carrier event id, or the same shipment, time and status) is "unchanged" and tells nobody
    again. Each event on its own: a bad one saves nothing and blocks none of the others."""
    require(request, "shipments", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[record_one(event) for event in payload.events])
