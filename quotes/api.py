"""The ERP's side of quotes in the API: what clients asked to be priced (quote requests with their lines,
delivery address and attachments) and their decisions on offers, pulled by cursor."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from files.responses import file_response, safe_filename
from portal import audit
from portal.api import require
from portal.api_paging import Page, PullParams, pull
from portal.api_refs import CompanyRef, FileRef, Person, company_ref, file_ref, person
from quotes import selectors
from quotes.models import Offer, QuoteRequest

router = Router(tags=["Cereri de ofertă și oferte"])


class QuoteRequestLineOut(Schema):
    position: int
    product_code: str | None = Field(..., description="The catalogue's code; null for a free-text line")
    description: str
    quantity: Decimal
    unit: str
    note: str


class QuoteRequestOut(Schema):
    public_id: UUID
    number: str
    company: CompanyRef
    status: Literal["submitted", "in_review", "offered", "closed", "cancelled"]
    requested_by: Person | None = Field(..., description="The client user who sent it (null if since deleted)")
    delivery_option: Literal["pickup", "address", "courier"]
    delivery_address: str = Field(..., description="As sent (a copy: later address book edits do not change it)")
    desired_date: date | None
    notes: str = Field(..., description="The client's remarks")
    lines: list[QuoteRequestLineOut]
    attachments: list[FileRef]
    created_at: datetime
    updated_at: datetime = Field(..., description="Last change: the list's order and `updated_since`")
    cancelled_at: datetime | None
    cancelled_by: Person | None


class QuoteRequestPage(Page[QuoteRequestOut]):
    pass


class OfferDecisionOut(Schema):
    public_id: UUID = Field(..., description="The offer revision's id")
    number: str
    revision: int
    company: CompanyRef
    quote_request: str | None = Field(..., description="The number of the quote request it answers, if any")
    decision: Literal["accepted", "rejected"]
    decided_at: datetime
    decided_by: Person | None
    reason: str = Field(..., description="The client's reason for a rejection (empty for an acceptance)")
    currency: Literal["RON", "EUR"]
    total_gross: Decimal | None = Field(..., description="The total with VAT the client accepted or rejected")
    updated_at: datetime = Field(..., description="The decision's time: the list's order and `updated_since`")


class OfferDecisionPage(Page[OfferDecisionOut]):
    pass


def _attachment_url(quote_request: QuoteRequest, stored) -> str:
    return reverse("api:quote_request_attachment", args=[quote_request.public_id, stored.public_id])


def _request_out(quote_request: QuoteRequest) -> QuoteRequestOut:
    return QuoteRequestOut(
        public_id=quote_request.public_id,
        number=quote_request.number,
        company=company_ref(quote_request.company),
        status=quote_request.status,
        requested_by=person(quote_request.created_by),
        delivery_option=quote_request.delivery_option,
        delivery_address=quote_request.delivery_address,
        desired_date=quote_request.desired_date,
        notes=quote_request.remarks,
        lines=[
            QuoteRequestLineOut(
                position=line.position,
                product_code=line.product.code if line.product else None,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                note=line.note,
            )
            for line in quote_request.lines.all()
        ],
        attachments=[
            file_ref(stored, _attachment_url(quote_request, stored)) for stored in quote_request.attachments.all()
        ],
        created_at=quote_request.created_at,
        updated_at=quote_request.updated_at,
        cancelled_at=quote_request.cancelled_at,
        cancelled_by=person(quote_request.cancelled_by),
    )


@router.get("/quote-requests", response=QuoteRequestPage, summary="Quote requests clients sent")
def quote_requests(request, params: Query[PullParams]):
    """Every company's quote requests (a client cancelling one changes it, so it comes again, `cancelled`),
    ordered by `updated_at` then id. Three queries a page, whatever its length."""
    require(request, "offers")
    rows, cursor = pull(selectors.requests_for_erp(), params, at="updated_at")
    return QuoteRequestPage(items=[_request_out(row) for row in rows], next_cursor=cursor)


@router.get(
    "/quote-requests/{public_id}/attachments/{file_id}",
    url_name="quote_request_attachment",
    summary="Download a quote request's attachment",
    openapi_extra={"responses": {200: {"description": "The file as the client uploaded it"}}},
)
def quote_request_attachment(request, public_id: UUID, file_id: UUID):
    """The file itself (`Content-Disposition: attachment`); 404 for a request or file that is not there."""
    require(request, "offers")
    quote_request = get_object_or_404(QuoteRequest, public_id=public_id)
    stored = get_object_or_404(quote_request.attachments.all(), public_id=file_id)
    with audit.acting_as(request.auth.name):
        audit.record(
            action="quote_request.attachment_downloaded",
            company=quote_request.company,
            obj=quote_request,
            file=stored.original_name,
        )
    stem = stored.original_name.rsplit(".", 1)[0]
    return file_response(stored, filename=safe_filename(stem, stored.extension))


def _decision_out(offer: Offer) -> OfferDecisionOut:
    return OfferDecisionOut(
        public_id=offer.public_id,
        number=offer.number,
        revision=offer.revision,
        company=company_ref(offer.company),
        quote_request=offer.request.number if offer.request else None,
        decision=offer.status,
        decided_at=offer.decided_at,
        decided_by=person(offer.decided_by),
        reason=offer.rejection_reason,
        currency=offer.currency,
        total_gross=offer.decided_total_gross,
        updated_at=offer.decided_at,
    )


@router.get("/offer-decisions", response=OfferDecisionPage, summary="Offers clients accepted or rejected")
def offer_decisions(request, params: Query[PullParams]):
    """One item per decided offer revision, ordered by `decided_at` then id: a decision is made once and never
    changes (the offer's own `updated_at` also moves on staff edits, which are not the client's). One query a
    page."""
    require(request, "offers")
    rows, cursor = pull(selectors.decisions_for_erp(), params, at="decided_at")
    return OfferDecisionPage(items=[_decision_out(row) for row in rows], next_cursor=cursor)
