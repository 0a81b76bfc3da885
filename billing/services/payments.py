"""Payments received and their allocations to invoices: staff record, change and delete payments, spread
one over open invoices oldest first or set its allocations (the admin's inline); the checks an
allocation must pass. Each change recomputes the invoices and the payment (invoices.py's refreshes).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import Company, User
from billing.models import ZERO, Invoice, Payment, PaymentAllocation, PaymentNotice
from billing.services.invoices import invoice_refresh, payment_refresh
from portal import audit
from portal.money import cents, format_money


def _allocatable(invoice: Invoice, payment: Payment) -> str | None:
    """Why this invoice cannot take money from this payment, or None."""
    if invoice.company_id != payment.company_id:
        return _("Factura %(invoice)s aparține altei companii.") % {"invoice": invoice}
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status in (Invoice.Status.DRAFT, Invoice.Status.CANCELLED):
        return _("Pe factura %(invoice)s nu se pot aloca plăți (ciornă, storno sau stornată).") % {"invoice": invoice}
    if invoice.currency != payment.currency:
        return _("Factura %(invoice)s este în %(currency)s, plata în %(payment)s.") % {
            "invoice": invoice,
            "currency": invoice.currency,
            "payment": payment.currency,
        }
    return None


def validate_allocations(*, payment: Payment, rows: Iterable[tuple[Invoice, Decimal]]) -> None:
    """The allocations a payment would have after a change: each invoice payable, none paid over its
    total, the payment not spent over its amount."""
    rows = list(rows)
    errors = []
    seen = set()
    for invoice, amount in rows:
        problem = _allocatable(invoice, payment)
        if problem:
            errors.append(problem)
            continue
        if invoice.pk in seen:
            errors.append(_("Factura %(invoice)s apare de două ori.") % {"invoice": invoice})
        seen.add(invoice.pk)
        if amount <= 0:
            errors.append(_("Suma alocată pe %(invoice)s trebuie să fie pozitivă.") % {"invoice": invoice})
            continue
        others = cents(
            PaymentAllocation.objects.filter(invoice=invoice)
            .exclude(payment_id=payment.pk)
            .aggregate(total=Sum("amount"))["total"]
        )
        payable = invoice.total_gross - invoice.credited - others
        if amount > payable:
            errors.append(
                _("Pe %(invoice)s se mai pot aloca cel mult %(left)s.")
                % {"invoice": invoice, "left": format_money(max(payable, ZERO), invoice.currency)}
            )
    total = sum((amount for _invoice, amount in rows), ZERO)
    if total > payment.amount:
        errors.append(
            _("Alocările (%(total)s) depășesc suma plății (%(amount)s).")
            % {
                "total": format_money(total, payment.currency),
                "amount": format_money(payment.amount, payment.currency),
            }
        )
    if errors:
        raise ValidationError(errors)


def clean_payment_fields(payment: Payment) -> None:
    errors: dict[str, str] = {}
    if payment.amount is not None and payment.amount <= 0:
        errors["amount"] = _("Suma trebuie să fie pozitivă.")
    elif payment.pk and payment.amount is not None and payment.amount < payment.allocated:
        errors["amount"] = _("Plata are deja %(allocated)s alocați pe facturi: suma nu poate fi mai mică.") % {
            "allocated": format_money(payment.allocated, payment.currency)
        }
    if payment.pk and payment.allocations.exclude(invoice__currency=payment.currency).exists():
        errors["currency"] = _("Plata are alocări pe facturi în altă monedă.")
    if (
        payment.reference
        and Payment.objects.filter(company_id=payment.company_id, reference=payment.reference)
        .exclude(pk=payment.pk)
        .exists()
    ):
        errors["reference"] = _("Există deja o plată cu referința „%(reference)s” pentru această companie.") % {
            "reference": payment.reference
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def payment_save(*, payment: Payment, by: User | None = None) -> Payment:
    """Create or change a payment's own fields (staff, admin); allocations go through the services below."""
    created = payment.pk is None
    if created:
        payment.created_by = by
    clean_payment_fields(payment)
    payment.save()
    audit.record(
        action="payment.created" if created else "payment.changed",
        company=payment.company,
        user=by,
        obj=payment,
        amount=str(payment.amount),
        currency=payment.currency,
    )
    return payment


@transaction.atomic
def payment_record(
    *,
    company: Company,
    paid_on: date,
    amount: Decimal,
    currency: str,
    method: str,
    reference: str = "",
    notes: str = "",
    by: User | None = None,
    invoices: Iterable[Invoice] = (),
) -> Payment:
    """A payment received; allocated to ``invoices`` oldest first, the rest stays as the client's credit."""
    payment = Payment(
        company=company,
        date=paid_on,
        amount=cents(amount),
        currency=currency,
        method=method,
        reference=reference.strip(),
        notes=notes,
    )
    payment_save(payment=payment, by=by)
    invoices = list(invoices)
    if invoices:
        allocate_oldest_first(payment=payment, invoices=invoices, by=by)
    return payment


@transaction.atomic
def allocate_oldest_first(*, payment: Payment, invoices: Iterable[Invoice], by: User | None = None) -> Decimal:
    """Spread what is left of a payment over open invoices, the oldest due first; returns what was allocated."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payment_refresh(payment=payment)
    remaining = payment.unallocated
    ids = [invoice.pk for invoice in invoices]
    # Locked in primary-key order (as every service locks several invoices), then read oldest due first.
    locked = list(
        Invoice.objects.select_for_update()
        .filter(pk__in=ids, company=payment.company)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    candidates = Invoice.objects.filter(pk__in=locked).order_by("due_date", "issue_date", "number", "pk")
    allocated = ZERO
    for invoice in candidates:
        if remaining <= 0:
            break
        if _allocatable(invoice, payment) or not invoice.is_open:
            continue
        amount = min(remaining, invoice.balance)
        allocation, created = PaymentAllocation.objects.get_or_create(
            payment=payment, invoice=invoice, defaults={"company": payment.company, "amount": amount}
        )
        if not created:
            allocation.amount += amount
            allocation.save(update_fields=["amount"])
        invoice_refresh(invoice=invoice)
        remaining -= amount
        allocated += amount
    payment_refresh(payment=payment)
    if allocated:
        audit.record(action="payment.allocated", company=payment.company, user=by, obj=payment, amount=str(allocated))
    return allocated


@transaction.atomic
def payment_set_allocations(
    *, payment: Payment, rows: Iterable[tuple[Invoice, Decimal]], by: User | None = None
) -> Payment:
    """Replace a payment's allocations (the admin's inline); invoices and payment are recomputed."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    rows = [(invoice, cents(amount)) for invoice, amount in rows]
    locked = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update()
        .filter(pk__in=[invoice.pk for invoice, _amount in rows])
        .order_by("pk")
    }
    rows = [(locked[invoice.pk], amount) for invoice, amount in rows]
    validate_allocations(payment=payment, rows=rows)
    before = set(payment.allocations.values_list("invoice_id", flat=True))
    wanted = {invoice.pk: amount for invoice, amount in rows}
    payment.allocations.exclude(invoice_id__in=wanted).delete()
    for invoice, amount in rows:
        PaymentAllocation.objects.update_or_create(
            payment=payment, invoice=invoice, defaults={"company": payment.company, "amount": amount}
        )
    for invoice in Invoice.objects.filter(pk__in=before | set(wanted)):
        invoice_refresh(invoice=invoice)
    payment_refresh(payment=payment)
    audit.record(
        action="payment.allocations_changed",
        company=payment.company,
        user=by,
        obj=payment,
        allocations={str(locked[pk]): str(amount) for pk, amount in wanted.items()},
    )
    return payment


@transaction.atomic
def payment_delete(*, payment: Payment, by: User | None = None) -> None:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    invoice_ids = list(payment.allocations.values_list("invoice_id", flat=True))
    PaymentNotice.objects.filter(payment=payment).update(payment=None)
    audit.record(
        action="payment.deleted",
        company=payment.company,
        user=by,
        obj=payment,
        amount=str(payment.amount),
        reference=payment.reference,
    )
    payment.delete()
    for invoice in Invoice.objects.filter(pk__in=invoice_ids):
        invoice_refresh(invoice=invoice)
