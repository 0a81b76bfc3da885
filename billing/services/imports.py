"""The ERP's exports (billing/importer.py parses and checks the CSV, these write): an issued invoice or
credit note keyed by series and number (created once, then never changed but for its project and its
e-Factura originals), a payment keyed by its reference with its allocations; each created, updated or left
unchanged, so importing the same file twice writes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from billing import tasks
from billing.models import ZERO, Invoice, InvoiceLine, Payment
from billing.services.efactura import Originals, freeze_parties, invoice_attach_originals
from billing.services.invoices import (
    check_lines_vat,
    clean_invoice_fields,
    invoice_refresh,
    release_excess,
    set_line_amounts,
    set_totals,
)
from billing.services.payments import clean_payment_fields, payment_set_allocations
from portal import audit
from portal.money import cents
from portal.tasks_util import enqueue

LINE_FIELDS = InvoiceLine.ENTERED_FIELDS


def _line_key(line: dict) -> tuple:
    return (
        line["product_code"],
        line["description"],
        line["unit"],
        Decimal(line["quantity"]),
        cents(line["unit_price"]),
        int(line["vat_rate"]),
        line["vat_category"],
        line["vat_exemption_code"],
        line["vat_exemption_reason"],
    )


class IssuedInvoiceChanged(ValidationError):
    """The ERP sent different fiscal fields or lines for an issued invoice (the API answers 409)."""


# What the ERP may still change on an issued invoice: the portal's own link to a project. Everything else
# is on the fiscal document (and in its e-Factura XML), which only a credit note corrects.
MUTABLE_FIELDS = ("project",)


def _fiscal_changes(invoice: Invoice, fields: dict, lines: list[dict]) -> list[str]:
    """The fiscal fields (and "lines") the ERP sent differently from the issued invoice, in any line order."""
    changed = [name for name, value in fields.items() if name not in MUTABLE_FIELDS and getattr(invoice, name) != value]
    current_lines = sorted(
        _line_key({name: getattr(line, name) for name in LINE_FIELDS}) for line in invoice.lines.all()
    )
    if current_lines != sorted(_line_key(line) for line in lines):
        changed.append("lines")
    return changed


def invoice_build(*, company: Company, fields: dict, lines: list[dict]) -> tuple[Invoice, list[InvoiceLine]]:
    """A new issued invoice or credit note with its lines and totals, checked but not saved: its fields fit
    together and its lines' VAT the tax point, its total has the right sign, its parties are frozen."""
    invoice = Invoice(company=company, issued_at=timezone.now(), **fields)
    clean_invoice_fields(invoice)
    rows = [
        InvoiceLine(company=company, position=position, **{name: line[name] for name in LINE_FIELDS})
        for position, line in enumerate(lines, start=1)
    ]
    check_lines_vat(rows, tax_point=invoice.tax_point)
    set_line_amounts(rows)
    set_totals(invoice, rows)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE and invoice.total_gross >= 0:
        raise ValidationError(_("O factură storno are valori negative (cantități cu minus)."))
    if invoice.kind == Invoice.Kind.INVOICE and invoice.total_gross <= 0:
        raise ValidationError(_("Totalul unei facturi trebuie să fie pozitiv; corecturile vin ca storno."))
    freeze_parties(invoice)
    return invoice, rows


def _imported_entry(invoice: Invoice):
    return audit.entry(
        action="invoice.imported", company=invoice.company, obj=invoice, created=True, total=str(invoice.total_gross)
    )


@transaction.atomic
def invoices_create(built: list[tuple[Invoice, list[InvoiceLine]]]) -> None:
    """A batch's new invoices (not credit notes), each built by ``invoice_build``, in three statements: the
    invoices, their lines, their audit entries. All or none: a unique key another push took meanwhile
    raises IntegrityError and the caller imports them one by one instead."""
    invoices = Invoice.objects.bulk_create([invoice for invoice, _rows in built])
    for invoice, rows in built:
        for row in rows:
            row.invoice = invoice
    InvoiceLine.objects.bulk_create([row for _invoice, rows in built for row in rows])
    audit.record_many([_imported_entry(invoice) for invoice in invoices])


def _create_issued(company: Company, fields: dict, lines: list[dict]) -> Invoice:
    """One new invoice with its lines; a credit note then refreshes the invoice it reverses."""
    invoice, rows = invoice_build(company=company, fields=fields, lines=lines)
    invoice.save()
    for row in rows:
        row.invoice = invoice
    InvoiceLine.objects.bulk_create(rows)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        original = invoice_refresh(invoice=invoice.reverses)
        if original.credited > original.total_gross:
            raise ValidationError(_("Stornările depășesc valoarea facturii %(invoice)s.") % {"invoice": original})
        if original.balance < 0:
            release_excess(original)
    _imported_entry(invoice).save()
    return invoice


def _recognise(invoice: Invoice, company: Company, fields: dict, lines: list[dict]) -> str:
    """An invoice already issued: "unchanged", "updated" (its project) or refused with what it would change."""
    if invoice.company_id != company.pk:
        raise ValidationError(_("Factura %(invoice)s există deja pentru altă companie.") % {"invoice": invoice})
    if invoice.status == Invoice.Status.DRAFT:
        raise ValidationError(
            _("Factura %(invoice)s este o ciornă în portal; emiteți-o sau ștergeți-o întâi.") % {"invoice": invoice}
        )
    changed = _fiscal_changes(invoice, fields, lines)
    if changed:
        raise IssuedInvoiceChanged(
            _(
                "Factura %(invoice)s a fost emisă și nu se mai schimbă (diferă: %(fields)s); "
                "corecturile se fac printr-o factură storno."
            )
            % {"invoice": invoice, "fields": ", ".join(changed)}
        )
    if not _project_changes(invoice, fields):
        return "unchanged"
    invoice.project = fields["project"]
    invoice.save(update_fields=["project", "updated_at"])
    audit.record(action="invoice.imported", company=company, obj=invoice, created=False, changed=["project"])
    return "updated"


def _project_changes(invoice: Invoice, fields: dict) -> bool:
    return invoice.project_id != (fields["project"].pk if fields["project"] else None)


# ``known`` when the caller looked the batch's invoices up beforehand: NOT_LOOKED_UP asks this service to.
NOT_LOOKED_UP = object()


def invoice_import(
    *,
    company: Company,
    fields: dict,
    lines: list[dict],
    originals: Originals | None = None,
    known: Invoice | object | None = NOT_LOOKED_UP,
    issued: list[int] | None = None,
) -> str:
    """Create an issued invoice keyed by series + number, or recognise it. Returns "created", "updated" or
    "unchanged" (nothing written). ``fields``: series, number, kind, reverses, issue_date, due_date,
    delivery_date, currency, exchange_rate, contract, project, notes; ``lines``: dicts of LINE_FIELDS (a new
    invoice's VAT is checked against the tax point as issuing checks it); ``originals``: what ANAF's e-Factura
    holds.

    An issued invoice is a fiscal document: a file that changes its fiscal fields or lines is refused with
    the fields it changes; only its project may change, and its e-Factura originals be added.

    A batch (billing/importer.py's ``Lookups``) passes ``known``, the invoice as it found it with its lines (or
    None), so an unchanged one costs no query; and ``issued``, where the new invoices' ids go for one
    ``invoices_issued`` task after the batch instead of one each."""
    if known is not NOT_LOOKED_UP and known is not None and originals is None and not _project_changes(known, fields):
        return _recognise(known, company, fields, lines)  # nothing to write: no transaction
    return _import_locked(company, fields, lines, originals, known, issued)


@transaction.atomic
def _import_locked(company, fields, lines, originals, known, issued) -> str:
    invoice = known
    if known is NOT_LOOKED_UP or (known is not None and (originals is not None or _project_changes(known, fields))):
        key = {"series": fields["series"], "number": fields["number"]}
        invoice = Invoice.objects.select_for_update().filter(**key).prefetch_related("lines").first()
    if invoice is None:
        invoice, result = _create_issued(company, fields, lines), "created"
        if issued is None:
            enqueue(tasks.invoices_issued, [invoice.pk])
        else:
            issued.append(invoice.pk)
    else:
        result = _recognise(invoice, company, fields, lines)
    if originals is not None and invoice_attach_originals(invoice=invoice, originals=originals):
        result = "updated" if result == "unchanged" else result
    return result


@transaction.atomic
def payment_import(*, company: Company, fields: dict, allocations: list[tuple[Invoice, Decimal]]) -> str:
    """Create or update a payment keyed by its reference; its allocations are replaced by the file's.
    ``fields``: reference, date, amount, currency, method, notes."""
    payment = Payment.objects.select_for_update().filter(company=company, reference=fields["reference"]).first()
    wanted = sorted((invoice.pk, cents(amount)) for invoice, amount in allocations)
    if payment is not None:
        current = {name: getattr(payment, name) for name in fields}
        current_allocations = sorted(payment.allocations.values_list("invoice_id", "amount"))
        if current == fields and current_allocations == wanted:
            return "unchanged"
    created = payment is None
    payment = payment or Payment(company=company)
    for name, value in fields.items():
        setattr(payment, name, value)
    if not created and payment.amount < sum((amount for _pk, amount in wanted), ZERO):
        raise ValidationError(_("Alocările depășesc suma plății."))
    payment.allocated = min(payment.allocated, payment.amount)
    clean_payment_fields(payment)
    payment.save()
    payment_set_allocations(payment=payment, rows=allocations)
    audit.record(action="payment.imported", company=company, obj=payment, created=created, amount=str(payment.amount))
    return "created" if created else "updated"
