"""The ERP's side of billing in the API: invoices and credit notes pushed in (one or up to 1,000 at a
time, upserted by series and number through the same path as the CSV import), with their e-Factura
originals; issued invoices never change their fiscal fields (409)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from billing import importer, selectors, services, tasks
from billing.models import PaymentNotice
from files.responses import file_response, safe_filename
from portal import audit
from portal.api import BulkOut, BulkResult, Conflict, require
from portal.api_paging import Page, PullParams, pull
from portal.api_refs import CompanyRef, FileRef, Person, company_ref, file_ref, person
from portal.tasks_util import enqueue

router = Router(tags=["Facturi"])
MAX_BULK = 1000


class InvoiceLineIn(Schema):
    code: str = Field("", max_length=40)
    description: str = Field(..., min_length=1, max_length=300)
    unit: str = Field("buc", max_length=12)
    quantity: Decimal
    unit_price: Decimal = Field(..., ge=0)
    vat_rate: int = Field(..., ge=0, le=100)
    vat_category: Literal["", "S", "Z", "E", "AE", "K", "O"] = ""
    vat_exemption_code: str = Field("", max_length=30)
    vat_exemption_reason: str = Field("", max_length=300)


class EFacturaIn(Schema):
    upload_index: str = Field("", max_length=20, description="ANAF's index de încărcare")
    download_id: str = Field("", max_length=20)
    status: Literal["", "uploaded", "validated", "rejected"] = ""
    message: str = Field("", max_length=2000, description="ANAF's message (required when rejected)")
    xml_base64: str | None = Field(None, description="The XML as submitted to ANAF, base64")
    zip_base64: str | None = Field(None, description="ANAF's signed ZIP, base64")


class InvoiceIn(Schema):
    cui: str = Field(..., description="The client company's CUI, with or without RO")
    series: str = Field(..., min_length=1, max_length=16)
    number: int = Field(..., ge=1)
    kind: Literal["factura", "storno"] = "factura"
    reverses: str = Field("", description="For a storno: the reversed invoice as 'SERIES NUMBER'")
    issue_date: date
    due_date: date
    delivery_date: date | None = None
    currency: Literal["RON", "EUR"] = "RON"
    exchange_rate: Decimal | None = Field(None, gt=0, description="BNR's rate (lei for 1 EUR); EUR only")
    contract: str = ""
    project: str = ""
    notes: str = Field("", max_length=3000)
    lines: list[InvoiceLineIn] = Field(..., min_length=1, max_length=1000)
    efactura: EFacturaIn | None = None


class InvoicesIn(Schema):
    invoices: list[InvoiceIn] = Field(..., min_length=1, max_length=MAX_BULK)


def _originals(efactura: EFacturaIn | None) -> services.Originals | None:
    if efactura is None:
        return None
    try:
        xml = base64.b64decode(efactura.xml_base64, validate=True) if efactura.xml_base64 else None
        zip_content = base64.b64decode(efactura.zip_base64, validate=True) if efactura.zip_base64 else None
    except (binascii.Error, ValueError) as error:
        raise ValidationError("efactura: xml_base64 / zip_base64 nu sunt base64 valid") from error
    return services.Originals(
        xml=xml,
        zip=zip_content,
        upload_index=efactura.upload_index,
        download_id=efactura.download_id,
        status=efactura.status,
        message=efactura.message,
    )


def _as_import_row(invoice: InvoiceIn) -> tuple[dict, list[dict]]:
    """The invoice as the CSV/JSON import reads it: one validation path for the file and the API."""
    data = invoice.dict(exclude={"lines", "efactura"})
    data = {key: ("" if value is None else str(value)) for key, value in data.items()}
    rows = [{key: str(value) for key, value in line.dict().items()} for line in invoice.lines]
    return data, rows


def upsert_one(invoice: InvoiceIn, lookups: importer.Lookups, issued: list[int]) -> BulkResult:
    key = f"{invoice.series} {invoice.number}"
    created: list[int] = []
    try:  # the import writes in a savepoint of its own: a refused invoice saves nothing
        data, rows = _as_import_row(invoice)
        originals = _originals(invoice.efactura)
        outcome = importer.import_invoice(data, rows, originals=originals, lookups=lookups, issued=created)
    except (services.IssuedInvoiceChanged, services.OriginalConflict) as error:
        return BulkResult(key=key, result="conflict", status=409, errors=error.messages)
    except importer.Rejected as error:
        return BulkResult(key=key, result="rejected", status=400, errors=[str(error)])
    except ValidationError as error:
        return BulkResult(key=key, result="rejected", status=400, errors=error.messages)
    issued += created
    return BulkResult(key=key, result=outcome, status=201 if outcome == "created" else 200)


def _refused(key: str, error: Exception) -> BulkResult:
    errors = [str(error)] if isinstance(error, importer.Rejected) else error.messages
    return BulkResult(key=key, result="rejected", status=400, errors=errors)


def create_new(invoices: list[InvoiceIn], lookups: importer.Lookups, issued: list[int]) -> dict[int, BulkResult]:
    """The batch's invoices that are not in the portal yet (credit notes and e-Factura originals aside), each
    checked on its own, then inserted together; the results of those it handled, by ``id()``. The others (and
    all of them if another push took one of their numbers meanwhile) are left to ``upsert_one``."""
    results, built, seen = {}, [], set()
    for invoice in invoices:
        key = (invoice.series, invoice.number)
        if invoice.kind == "storno" or invoice.efactura is not None or key in seen:
            continue
        seen.add(key)
        try:
            data, rows = _as_import_row(invoice)
            company, fields, lines = importer.prepare_invoice(data, rows, lookups)
            if lookups.known(fields) is not None:
                continue
            built.append((invoice, services.invoice_build(company=company, fields=fields, lines=lines)))
        except (importer.Rejected, ValidationError) as error:
            results[id(invoice)] = _refused(f"{invoice.series} {invoice.number}", error)
    try:
        services.invoices_create([pair for _invoice, pair in built])
    except IntegrityError:
        return results
    for invoice, (created, _lines) in built:
        results[id(invoice)] = BulkResult(key=f"{invoice.series} {invoice.number}", result="created", status=201)
        issued.append(created.pk)
    return results


def upsert_all(invoices: list[InvoiceIn]) -> list[BulkResult]:
    """The batch in one transaction: the new invoices inserted together, the rest one by one, each in its own
    savepoint (one bad invoice saves nothing of itself and blocks none of the others); the companies and the
    invoices already in the portal looked up once, one task for what follows the new invoices. Credit notes
    after the invoices they reverse."""
    lookups, issued = importer.Lookups(), []
    lookups.preload([{"series": invoice.series, "number": invoice.number} for invoice in invoices])
    with transaction.atomic():
        results = create_new(invoices, lookups, issued)
        for invoice in sorted(invoices, key=lambda invoice: invoice.kind == "storno"):
            if id(invoice) not in results:
                results[id(invoice)] = upsert_one(invoice, lookups, issued)
        if issued:
            enqueue(tasks.invoices_issued, issued)
    return [results[id(invoice)] for invoice in invoices]


@router.post("/invoices/bulk", response=BulkOut, summary="Push up to 1,000 invoices and credit notes")
def invoices_bulk(request, payload: InvoicesIn):
    """Each invoice is created, recognised ("unchanged") or refused on its own: one bad invoice saves nothing
    of itself and blocks none of the others. Credit notes after the invoices they reverse."""
    require(request, "billing", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=upsert_all(payload.invoices))


class AllocationIn(Schema):
    invoice: str = Field(..., description="The invoice it pays, as 'SERIES NUMBER'")
    amount: Decimal = Field(..., gt=0)


class PaymentIn(Schema):
    cui: str = Field(..., description="The client company's CUI, with or without RO")
    reference: str = Field(..., min_length=1, max_length=64, description="The ERP's key: bank reference, receipt no.")
    date: dt.date
    amount: Decimal = Field(..., gt=0)
    currency: Literal["RON", "EUR"] = "RON"
    method: Literal["transfer", "card", "numerar", "compensare"] = "transfer"
    notes: str = Field("", max_length=300)
    allocations: list[AllocationIn] = Field(
        default_factory=list, description="Replace the payment's allocations; what is left is the client's credit"
    )


class PaymentsIn(Schema):
    payments: list[PaymentIn] = Field(..., min_length=1, max_length=MAX_BULK)


def upsert_payment(payment: PaymentIn) -> BulkResult:
    key = f"{payment.cui} {payment.reference}"
    data = {name: str(value) for name, value in payment.dict(exclude={"allocations"}).items()}
    allocations = [(allocation.invoice, str(allocation.amount)) for allocation in payment.allocations]
    try:
        with transaction.atomic():
            outcome = importer.import_payment(data, allocations)
    except importer.Rejected as error:
        return BulkResult(key=key, result="rejected", status=400, errors=[str(error)])
    except ValidationError as error:
        return BulkResult(key=key, result="rejected", status=400, errors=error.messages)
    return BulkResult(key=key, result=outcome, status=201 if outcome == "created" else 200)


@router.post("/payments/bulk", response=BulkOut, summary="Push up to 1,000 payments with their allocations")
def payments_bulk(request, payload: PaymentsIn):
    """Payments received, keyed by the company and the payment's reference, through the CSV import's path:
    created, updated (amount, date, allocations) or "unchanged"; each on its own."""
    require(request, "billing", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[upsert_payment(payment) for payment in payload.payments])


@router.put(
    "/invoices/{series}/{number}",
    response={200: BulkResult, 201: BulkResult},
    summary="Create or recognise one invoice or credit note",
)
def invoice_put(request, series: str, number: int, payload: InvoiceIn):
    """201 created, 200 unchanged or updated (its project, its e-Factura originals); 400 refused with the
    reasons; 409 when it would change an issued invoice's fiscal fields or a kept e-Factura original."""
    require(request, "billing", write=True)
    if (payload.series, payload.number) != (series, number):
        raise ValidationError({"number": ["The body's series and number differ from the URL's."]})
    with audit.acting_as(request.auth.name):
        (result,) = upsert_all([payload])
    if result.status == 409:
        raise Conflict("; ".join(result.errors))
    if result.status == 400:
        raise ValidationError(result.errors)
    return Status(result.status, result)


# --- the ERP pulls what clients announced: payment notices with their proof -------------------------------


class InvoiceRef(Schema):
    public_id: UUID
    series: str
    number: int | None
    label: str = Field(..., description="'SERIES NUMBER', as the portal shows it")


class PaymentNoticeOut(Schema):
    public_id: UUID
    reference: str = Field(..., description="The payment order's number or the bank statement's reference")
    company: CompanyRef
    amount: Decimal
    currency: Literal["RON", "EUR"]
    paid_on: date
    status: Literal["pending", "confirmed", "rejected"]
    message: str = Field(..., description="The client's message")
    invoices: list[InvoiceRef] = Field(..., description="The invoices the client said it pays (may be none)")
    announced_by: Person | None
    announced_at: datetime
    decided_at: datetime | None = Field(..., description="When staff confirmed or rejected it")
    rejection_reason: str
    proof: FileRef = Field(..., description="The proof of payment the client uploaded")
    updated_at: datetime = Field(..., description="`decided_at`, else `announced_at`: the list's order")


class PaymentNoticePage(Page[PaymentNoticeOut]):
    pass


def _notice_out(notice: PaymentNotice) -> PaymentNoticeOut:
    return PaymentNoticeOut(
        public_id=notice.public_id,
        reference=notice.reference,
        company=company_ref(notice.company),
        amount=notice.amount,
        currency=notice.currency,
        paid_on=notice.paid_on,
        status=notice.status,
        message=notice.message,
        invoices=[
            InvoiceRef(
                public_id=link.invoice.public_id,
                series=link.invoice.series,
                number=link.invoice.number,
                label=link.invoice.label,
            )
            for link in notice.invoice_links.all()
        ],
        announced_by=person(notice.announced_by),
        announced_at=notice.created_at,
        decided_at=notice.decided_at,
        rejection_reason=notice.rejection_reason,
        proof=file_ref(notice.proof, reverse("api:payment_notice_proof", args=[notice.public_id])),
        updated_at=notice.pull_at,
    )


@router.get("/payment-notices", response=PaymentNoticePage, summary="Payments clients announced, with proof")
def payment_notices(request, params: Query[PullParams]):
    """Every company's payment notices. A notice keeps no `updated_at`: the list is ordered by the later of
    its two changes, staff's decision (`decided_at`) else its announcement (`announced_at`), then id, so a
    notice comes again once confirmed or rejected. Two queries a page, whatever its length."""
    require(request, "billing")
    rows, cursor = pull(selectors.notices_for_erp(), params, at="pull_at")
    return PaymentNoticePage(items=[_notice_out(row) for row in rows], next_cursor=cursor)


@router.get(
    "/payment-notices/{public_id}/proof",
    url_name="payment_notice_proof",
    summary="Download a payment notice's proof",
    openapi_extra={"responses": {200: {"description": "The file as the client uploaded it"}}},
)
def payment_notice_proof(request, public_id: UUID):
    """The proof itself (`Content-Disposition: attachment`); 404 for a notice that is not there."""
    require(request, "billing")
    notice = get_object_or_404(PaymentNotice.objects.select_related("company", "proof"), public_id=public_id)
    stored = notice.proof
    with audit.acting_as(request.auth.name):
        audit.record(action="payment_notice.proof_downloaded", company=notice.company, obj=notice)
    return file_response(stored, filename=safe_filename(f"dovada-plata-{notice.reference}", stored.extension))
