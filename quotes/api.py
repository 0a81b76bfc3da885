"""The ERP's side of quotes in the API: what clients asked to be priced (quote requests with their lines,
delivery address and attachments) and their decisions on offers, pulled by cursor; the product catalogue and
the offers with their revisions, lines and PDF, pushed in by the ERP's own keys."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.models import Company
from files.responses import file_response, safe_filename
from portal import audit
from portal.api import BulkOut, BulkResult, error_messages, require
from portal.api_paging import Page, PullParams, pull
from portal.api_refs import CompanyRef, FileRef, Person, company_ref, file_ref, person
from quotes import selectors, services
from quotes.models import Offer, Product, QuoteRequest

router = Router(tags=["Cereri de ofertă și oferte"])
MAX_BULK = 1000


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
    po_number: str = Field(
        ..., description="The client's purchase-order number given with an acceptance (empty if none, or a rejection)"
    )
    note: str = Field(..., description="The client's note to the supplier with an acceptance (empty if none)")
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
        po_number=offer.po_number,
        note=offer.acceptance_note,
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


# --- pushed by the ERP: the catalogue and offers ----------------------------------------------------------


class ProductIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, description="The ERP's product code: the key")
    name: str = Field(..., min_length=1, max_length=200)
    unit: str = Field("buc", min_length=1, max_length=20)
    description: str = Field("", max_length=5000)
    active: bool = Field(True, description="Only active products are listed in the clients' request form")


class ProductsIn(Schema):
    products: list[ProductIn] = Field(..., min_length=1, max_length=MAX_BULK)


class OfferLineIn(Schema):
    product_code: str | None = Field(None, max_length=40, description="The catalogue's code; null for free text")
    description: str = Field(..., min_length=1, max_length=200)
    quantity: Decimal = Field(..., gt=0, max_digits=12, decimal_places=3)
    unit: str = Field("buc", min_length=1, max_length=20)
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description="Without VAT")
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    vat_rate: int = Field(
        ..., ge=0, le=100, description="A rate in force on the day it is pushed (21, 11 since 1.08.2025) or 0"
    )


class OfferIn(Schema):
    cui: str = Field(..., max_length=20, description="The client company's CUI, with or without RO")
    number: str = Field(..., min_length=1, max_length=30, description="The ERP's offer number: the key")
    revision: int = Field(1, ge=1, le=32767, description="A changed offer comes as a higher revision")
    quote_request: str | None = Field(
        None,
        max_length=30,
        description="The number of the client's quote request it answers; null: the previous revision's, if any",
    )
    valid_until: date
    currency: Literal["RON", "EUR"] = "RON"
    payment_terms: str = Field("", max_length=200)
    delivery_terms: str = Field("", max_length=200)
    notes: str = Field("", max_length=5000)
    revision_note: str = Field("", max_length=300, description="What differs from the previous revision (shown)")
    lines: list[OfferLineIn] = Field(..., min_length=1, max_length=500)
    pdf_base64: str | None = Field(
        None, description="The ERP's PDF of this revision, base64; null: the portal renders its own"
    )


class OffersIn(Schema):
    offers: list[OfferIn] = Field(..., min_length=1, max_length=MAX_BULK)


def _upsert(key: str, write) -> BulkResult:
    """One object in its own transaction: refused, it saves nothing of itself and blocks none of the others."""
    try:
        with transaction.atomic():
            outcome = write()
    except services.OfferConflict as error:
        return BulkResult(key=key, result="conflict", status=409, errors=[str(error)])
    except ValidationError as error:
        return BulkResult(key=key, result="rejected", status=400, errors=error_messages(error))
    except IntegrityError:
        # Another call created the same key meanwhile; pushed again, it is recognised.
        message = _("Obiectul a fost scris în același timp de alt apel; trimiteți-l din nou.")
        return BulkResult(key=key, result="conflict", status=409, errors=[message])
    return BulkResult(key=key, result=outcome, status=201 if outcome == "created" else 200)


@router.post("/catalogue/bulk", response=BulkOut, summary="Push up to 1,000 catalogue products")
def catalogue_bulk(request, payload: ProductsIn):
    """Products by their code: created, updated (name, unit, description, active) or recognised ("unchanged",
    nothing written), each on its own. A product the ERP stops selling is sent with `active: false`: it leaves
    the clients' request form, and the requests and offers that name it keep it."""
    require(request, "catalogue", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[_push_product(item) for item in payload.products])


def _push_product(item: ProductIn) -> BulkResult:
    fields = item.dict(include=set(services.PRODUCT_FIELDS))
    return _upsert(item.code, lambda: services.product_upsert(code=item.code, fields=fields))


def _offer_data(item: OfferIn) -> services.ErpOffer:
    """The payload with the ERP's keys looked up (company, request, products); ValidationError for the unknown."""
    services.refuse_nul(item.dict(exclude={"pdf_base64", "valid_until", "revision"}))
    company = Company.objects.with_cui(item.cui).first()
    if company is None:
        raise ValidationError({"cui": [_("Compania cu CUI „%(cui)s” nu există.") % {"cui": item.cui}]})
    quote_request = None
    if item.quote_request:
        quote_request = QuoteRequest.objects.filter(number=item.quote_request).first()
        if quote_request is None:
            message = _("Cererea de ofertă %(number)s nu există.") % {"number": item.quote_request}
            raise ValidationError({"quote_request": [message]})
    codes = {line.product_code for line in item.lines if line.product_code}
    products = {product.code: product for product in Product.objects.filter(code__in=codes)}
    unknown = sorted(codes - products.keys())
    if unknown:
        message = _("Codurile %(codes)s nu există în catalog.") % {"codes": ", ".join(unknown)}
        raise ValidationError({"lines": [message]})
    try:
        pdf = base64.b64decode(item.pdf_base64, validate=True) if item.pdf_base64 is not None else None
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"pdf_base64": [_("PDF-ul nu este base64 valid.")]}) from error
    lines = tuple(
        services.OfferLineData(
            product=products.get(line.product_code or ""),
            **line.dict(include={"description", "quantity", "unit", "unit_price", "discount_percent", "vat_rate"}),
        )
        for line in item.lines
    )
    fields = item.dict(include={"number", "revision", "valid_until", "currency", "payment_terms", "delivery_terms"})
    return services.ErpOffer(
        company=company,
        quote_request=quote_request,
        lines=lines,
        notes=item.notes,
        revision_note=item.revision_note,
        pdf=pdf,
        **fields,
    )


@router.post("/offers/bulk", response=BulkOut, summary="Push up to 1,000 offer revisions")
def offers_bulk(request, payload: OffersIn):
    """Offers by their number and revision, each the whole revision (terms, lines, optionally the ERP's PDF),
    sent to the client as staff send one: the totals computed by the portal as for any offer, the client
    notified once, the portal's PDF rendered unless the ERP sent its own.

    - the same revision again, same content: "unchanged" (nothing written; the PDF compared only when sent);
    - the same revision with other content once sent: 409 — a changed offer comes as a higher revision;
    - a higher revision: "updated", the previous one superseded, the client notified of the new revision;
    - a revision below the last one, or a new revision of an offer the client accepted or rejected: 409.

    Each offer on its own: one refused saves nothing of itself and blocks none of the others."""
    require(request, "offers", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[_push_offer(item) for item in payload.offers])


def _push_offer(item: OfferIn) -> BulkResult:
    return _upsert(f"{item.number} rev {item.revision}", lambda: services.offer_upsert_from_erp(data=_offer_data(item)))
