"""The ERP's side of shipments in the API: what clients reported about deliveries (receipt confirmed, a
problem), pulled by cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema

from portal.api import require
from portal.api_paging import Page, PullParams, cut, window
from portal.api_refs import CompanyRef, Person, company_ref, person
from shipments import selectors
from shipments.models import Shipment
from support import selectors as support_selectors

router = Router(tags=["Expedieri"])


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
    text: str = Field(..., description="The problem as the client described it; empty for a receipt")
    ticket: TicketRef | None = Field(..., description="The support ticket a problem opened (see /tickets)")
    updated_at: datetime = Field(..., description="`at`: the list's order and `updated_since`")


class ShipmentReportPage(Page[ShipmentReportOut]):
    pass


def _report_out(shipment: Shipment, tickets: dict) -> ShipmentReportOut:
    ticket = tickets.get(shipment.problem_ticket_id) if shipment.report_kind == selectors.PROBLEM else None
    if shipment.report_kind == selectors.RECEIPT:
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
