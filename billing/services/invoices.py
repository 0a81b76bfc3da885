"""Invoices and credit notes: the header (create/change by staff), the stored totals, issuing, the PDF
and the in-portal notice of a new invoice.

Owns the arithmetic every other billing service relies on: ``invoice_refresh`` keeps an invoice's
stored totals, amount paid, balance and status, ``payment_refresh`` a payment's allocated sum, and
``release_excess`` gives back what a credit note left paid over an invoice's new total. The amounts are
portal.money's (each line's value rounded to 0,01 half up on its own, VAT rounded once per VAT category
and rate), so the page, the PDF, the XML and the statement add up to the same ban.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from billing import selectors, tasks
from billing.models import ZERO, Invoice, InvoiceLine, Payment, PaymentAllocation
from billing.services.efactura import freeze_parties
from files.models import StoredFile
from files.responses import safe_filename
from files.services import store_generated
from portal import audit, vat
from portal.money import Currency, cents, format_money, line_amounts, vat_groups
from portal.notifications import notify
from portal.pdf import render_pdf
from portal.tasks_util import enqueue

NEW_INVOICE_NOTICE_DAYS = 7

# --- totals and status ----------------------------------------------------------------------------


def derive_status(*, kind: str, issued: bool, gross: Decimal, credited: Decimal, paid: Decimal) -> str:
    """The stored status; "restantă" is added on top of an open status by the due date."""
    if not issued:
        return Invoice.Status.DRAFT
    if kind == Invoice.Kind.CREDIT_NOTE:
        return Invoice.Status.CREDIT_NOTE
    if gross > 0 and credited >= gross:
        return Invoice.Status.CANCELLED
    if gross - credited - paid <= 0:
        return Invoice.Status.PAID
    if paid > 0:
        return Invoice.Status.PARTIALLY_PAID
    return Invoice.Status.ISSUED


def set_line_amounts(lines: Iterable[InvoiceLine]) -> list[InvoiceLine]:
    """Each line's net value and VAT from its quantity, price and rate; returns the lines that changed."""
    changed = []
    for line in lines:
        net, vat = line_amounts(quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate)
        if (net, vat) != (line.net_amount, line.vat_amount):
            line.net_amount, line.vat_amount = net, vat
            changed.append(line)
    return changed


def set_totals(invoice: Invoice, lines: list[InvoiceLine], *, credited: Decimal = ZERO, paid: Decimal = ZERO) -> None:
    """The invoice's totals, balance and status from its lines' amounts and what was credited and paid
    (nothing for a new invoice); no query."""
    invoice.total_net = sum((line.net_amount for line in lines), ZERO)
    groups = vat_groups((line.vat_rate, line.net_amount, line.vat_category) for line in lines)
    invoice.total_vat = sum((group.vat for group in groups), ZERO)
    invoice.total_gross = invoice.total_net + invoice.total_vat
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        invoice.credited = invoice.amount_paid = invoice.balance = ZERO
    else:
        invoice.credited, invoice.amount_paid = credited, paid
        invoice.balance = invoice.total_gross - credited - paid
    invoice.status = derive_status(
        kind=invoice.kind,
        issued=invoice.issued_at is not None,
        gross=invoice.total_gross,
        credited=invoice.credited,
        paid=invoice.amount_paid,
    )


def invoice_refresh(*, invoice: Invoice) -> Invoice:
    """Recompute the lines' amounts, the totals, what was credited and paid, the balance and status."""
    lines = list(InvoiceLine.objects.filter(invoice_id=invoice.pk))
    changed = set_line_amounts(lines)
    if changed:
        InvoiceLine.objects.bulk_update(changed, ["net_amount", "vat_amount"])
    credited = paid = ZERO
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        credit_notes = Invoice.objects.filter(reverses_id=invoice.pk).exclude(status=Invoice.Status.DRAFT)
        credited = -cents(credit_notes.aggregate(total=Sum("total_gross"))["total"])
        paid = cents(PaymentAllocation.objects.filter(invoice_id=invoice.pk).aggregate(total=Sum("amount"))["total"])
    set_totals(invoice, lines, credited=credited, paid=paid)
    Invoice.objects.filter(pk=invoice.pk).update(
        total_net=invoice.total_net,
        total_vat=invoice.total_vat,
        total_gross=invoice.total_gross,
        credited=invoice.credited,
        amount_paid=invoice.amount_paid,
        balance=invoice.balance,
        status=invoice.status,
        updated_at=timezone.now(),
    )
    return invoice


def payment_refresh(*, payment: Payment) -> Payment:
    payment.allocated = cents(payment.allocations.aggregate(total=Sum("amount"))["total"])
    Payment.objects.filter(pk=payment.pk).update(allocated=payment.allocated)
    return payment


def release_excess(invoice: Invoice) -> None:
    """A credit note on a paid invoice frees what was paid over the new total: the latest payments
    give it back and it becomes the client's credit (unallocated)."""
    excess = -invoice.balance
    allocations = invoice.allocations.select_related("payment").order_by("-payment__date", "-id")
    for allocation in allocations:
        if excess <= 0:
            break
        give_back = min(excess, allocation.amount)
        if give_back == allocation.amount:
            allocation.delete()
        else:
            allocation.amount -= give_back
            allocation.save(update_fields=["amount"])
        payment_refresh(payment=allocation.payment)
        excess -= give_back
    invoice_refresh(invoice=invoice)


# --- invoices -------------------------------------------------------------------------------------


def clean_invoice_fields(invoice: Invoice) -> None:
    """Checks that need more than one field; raised as form errors by the admin."""
    errors: dict[str, str] = {}
    if invoice.issue_date and invoice.due_date and invoice.due_date < invoice.issue_date:
        errors["due_date"] = _("Scadența nu poate fi înaintea datei emiterii.")
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        original = invoice.reverses
        if original is None:
            errors["reverses"] = _("Alegeți factura pe care o stornează.")
        elif original.company_id != invoice.company_id:
            errors["reverses"] = _("Factura stornată aparține altei companii.")
        elif original.kind != Invoice.Kind.INVOICE or original.status == Invoice.Status.DRAFT:
            errors["reverses"] = _("Se poate storna doar o factură emisă.")
        elif original.currency != invoice.currency:
            errors["reverses"] = _("Factura storno trebuie să fie în aceeași monedă ca factura stornată.")
        elif invoice.issue_date and invoice.issue_date < original.issue_date:
            errors["issue_date"] = _("Factura storno nu poate fi emisă înaintea facturii stornate.")
    elif invoice.reverses_id:
        errors["reverses"] = _("Doar o factură storno stornează altă factură.")
    if invoice.currency != Currency.RON and not invoice.exchange_rate:
        errors["exchange_rate"] = _(
            "O factură în %(currency)s are nevoie de cursul BNR din ziua emiterii (TVA-ul se arată și în lei)."
        ) % {"currency": invoice.currency}
    elif invoice.currency == Currency.RON and invoice.exchange_rate:
        errors["exchange_rate"] = _("Doar o factură în altă monedă decât leul are curs de schimb.")
    elif invoice.exchange_rate is not None and invoice.exchange_rate <= 0:
        errors["exchange_rate"] = _("Cursul de schimb trebuie să fie pozitiv.")
    for field in ("contract", "project", "offer"):
        related = getattr(invoice, field)
        if related is not None and related.company_id != invoice.company_id:
            errors[field] = _("Alegeți unul al aceleiași companii.")
    if errors:
        raise ValidationError(errors)


def check_lines_vat(lines: Iterable[InvoiceLine], *, tax_point: date) -> None:
    """Each line's VAT category, rate and exemption reason fit together and the rates in force on the tax
    point; the first that does not is refused, with its line number."""
    for index, line in enumerate(lines, start=1):
        try:
            vat.check_line(
                category=line.vat_category,
                rate=line.vat_rate,
                tax_point=tax_point,
                reason_code=line.vat_exemption_code,
                reason=line.vat_exemption_reason,
            )
        except ValidationError as error:
            raise ValidationError(
                _("Linia %(position)s: %(problem)s")
                % {"position": line.position or index, "problem": error.messages[0]}
            ) from error


@transaction.atomic
def invoice_save(*, invoice: Invoice, by: User | None = None) -> Invoice:
    """Create or change an invoice's header (staff, admin); an issued invoice changes only by storno."""
    if invoice.pk:
        current = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if current.status != Invoice.Status.DRAFT:
            raise ValidationError(
                _("Factura %(invoice)s a fost emisă: se corectează doar printr-o factură storno.")
                % {"invoice": current}
            )
    clean_invoice_fields(invoice)
    created = invoice.pk is None
    invoice.save()
    audit.record(
        action="invoice.created" if created else "invoice.changed", company=invoice.company, user=by, obj=invoice
    )
    return invoice


def invoice_save_lines(
    *, invoice: Invoice, lines: Iterable[InvoiceLine], deleted: Iterable[InvoiceLine] = ()
) -> Invoice:
    """A draft's new and changed lines saved (a line without a position takes its place in ``lines``), the
    ``deleted`` ones removed, and the totals recomputed; an issued invoice's lines never change."""
    lines, deleted = list(lines), list(deleted)
    if (lines or deleted) and invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(
            _("Factura %(invoice)s a fost emisă: se corectează doar printr-o factură storno.") % {"invoice": invoice}
        )
    # No savepoint: the admin's change form, its only caller, already runs in a transaction.
    with transaction.atomic(savepoint=False):
        for index, line in enumerate(lines, start=1):
            line.position = line.position or index
            line.save()
        for line in deleted:
            line.delete()
        return invoice_refresh(invoice=invoice)


def invoice_delete(*, invoice: Invoice) -> None:
    """Only a draft is deleted: an issued invoice is a fiscal document, reversed by a credit note."""
    if invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(_("%(invoice)s este emisă: se anulează printr-o factură storno.") % {"invoice": invoice})
    invoice.delete()


def _next_number(series: str) -> int:
    last = Invoice.objects.filter(series=series).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def _check_total(invoice: Invoice) -> None:
    """An invoice's total is positive; a credit note's negative and within what is left of its original."""
    if invoice.kind != Invoice.Kind.CREDIT_NOTE:
        if invoice.total_gross <= 0:
            raise ValidationError(_("Totalul unei facturi trebuie să fie pozitiv; pentru corecturi emiteți o storno."))
        return
    original = Invoice.objects.select_for_update().get(pk=invoice.reverses_id)
    if invoice.total_gross >= 0:
        raise ValidationError(_("O factură storno are valori negative (cantități cu minus)."))
    if -invoice.total_gross > original.total_gross - original.credited:
        raise ValidationError(
            _("Factura storno depășește ce a rămas nestornat din %(invoice)s (%(left)s).")
            % {
                "invoice": original,
                "left": format_money(original.total_gross - original.credited, original.currency),
            }
        )


@transaction.atomic
def invoice_issue(*, invoice: Invoice, by: User | None = None) -> Invoice:
    """Draft → issued: numbered, totals fixed, the client sees it; its PDF is rendered after commit."""
    # The invoice and, for a credit note, the invoice it reverses: locked together in primary-key order.
    reverses_id = Invoice.objects.filter(pk=invoice.pk).values_list("reverses_id", flat=True).get()
    list(
        Invoice.objects.select_for_update()
        .filter(pk__in={invoice.pk, reverses_id} - {None})
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    invoice = Invoice.objects.select_related("company", "reverses").get(pk=invoice.pk)
    if invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(_("Factura %(invoice)s a fost deja emisă.") % {"invoice": invoice})
    lines = list(invoice.lines.order_by("position", "id"))
    if not lines:
        raise ValidationError(_("Factura nu are nicio linie."))
    clean_invoice_fields(invoice)
    check_lines_vat(lines, tax_point=invoice.tax_point)
    invoice_refresh(invoice=invoice)
    _check_total(invoice)
    if invoice.number is None:
        invoice.number = _next_number(invoice.series)
    invoice.issued_at = timezone.now()
    freeze_parties(invoice)
    try:
        with transaction.atomic():
            invoice.save(update_fields=["number", "issued_at", "supplier_data", "buyer_data", "updated_at"])
    except IntegrityError as error:
        raise ValidationError(
            _("Numărul %(number)s există deja în seria %(series)s.")
            % {"number": invoice.number, "series": invoice.series}
        ) from error
    invoice_refresh(invoice=invoice)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        original = invoice_refresh(invoice=invoice.reverses)
        if original.balance < 0:
            release_excess(original)
    audit.record(
        action="invoice.issued",
        company=invoice.company,
        user=by,
        obj=invoice,
        total=str(invoice.total_gross),
        currency=invoice.currency,
    )
    enqueue(tasks.invoices_issued, [invoice.pk])
    return invoice


def invoice_pdf_name(invoice: Invoice) -> str:
    kind = _("Factura storno") if invoice.is_credit_note else _("Factura")
    return safe_filename(f"{kind} {invoice.series} {invoice.number}", "pdf")


def invoice_render_pdf(*, invoice_id: int, force: bool = False) -> StoredFile | None:
    """Render and keep the invoice's PDF (once; ``force`` replaces it). Safe to run twice.

    Rendering happens outside any lock; only storing it is serialised on the invoice row.
    """
    invoice = (
        Invoice.objects.select_related("company", "pdf", "reverses", "contract", "project")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None or invoice.status == Invoice.Status.DRAFT:
        return None
    if invoice.pdf is not None and not force:
        return invoice.pdf
    with translation.override("ro"):  # a fiscal document: Romanian text and number formats
        content = render_pdf("pdf/billing_invoice.html", selectors.invoice_pdf_context(invoice))
    with transaction.atomic():
        current = Invoice.objects.select_for_update().filter(pk=invoice_id).values_list("pdf_id", flat=True).first()
        if current is not None and not force:
            return StoredFile.objects.get(pk=current)  # another run stored it meanwhile
        stored = store_generated(
            company=invoice.company, name=invoice_pdf_name(invoice), content=content, content_type="application/pdf"
        )
        Invoice.objects.filter(pk=invoice_id).update(pdf=stored)
        if current is not None:
            transaction.on_commit(lambda: _delete_stored_file(current))
    return stored


def _delete_stored_file(stored_id: int) -> None:
    stored = StoredFile.objects.filter(pk=stored_id).first()
    if stored is not None:
        stored.file.delete(save=False)
        stored.delete()


def invoice_notify_issued(*, invoice: Invoice) -> None:
    """In the portal (no email): a new invoice or credit note for the billing users.

    Only for recent documents: importing a year of history from the ERP must not flood anyone.
    """
    if invoice.status == Invoice.Status.DRAFT:
        return
    if invoice.issue_date < timezone.localdate() - timedelta(days=NEW_INVOICE_NOTICE_DAYS):
        return
    path = reverse("billing:invoice_detail", args=[invoice.public_id])
    for membership in selectors.billing_recipients(company=invoice.company):
        notify(
            user=membership.user,
            company=invoice.company,
            kind="invoice.issued",
            message="invoice.credit_note" if invoice.is_credit_note else "invoice.issued",
            params={"invoice": invoice.label},
            url=path,
            key=f"invoice-issued:{invoice.pk}",
        )
