"""Invoices and payments made through the services, so totals, balances and statuses are always
what production computes.

``issued_invoice(company, lines=[("1000.00", 21)], ...)`` gives an issued invoice;
``record_payment(company, amount, invoices=[...])`` a payment allocated oldest first.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CompanyFactory
from billing import services
from billing.models import Invoice, InvoiceLine, Payment
from portal.vat import VatCategory

_numbers = itertools.count(1001)


class InvoiceFactory(factory.django.DjangoModelFactory):
    """A draft invoice (no lines); use ``issued_invoice`` for one the client sees."""

    class Meta:
        model = Invoice

    company = factory.SubFactory(CompanyFactory)
    series = "TST"
    number = factory.LazyFunction(lambda: next(_numbers))
    issue_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    due_date = factory.LazyAttribute(lambda o: o.issue_date + timedelta(days=30))
    # A foreign-currency invoice carries the BNR rate of its day (its VAT is also shown in lei).
    currency = "RON"
    exchange_rate = factory.LazyAttribute(lambda o: None if o.currency == "RON" else Decimal("4.9771"))


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    company = factory.LazyAttribute(lambda o: o.invoice.company)
    position = factory.Sequence(lambda n: n + 1)
    description = "Pompă centrifugală CP-200"
    unit = "buc"
    quantity = Decimal("1")
    unit_price = Decimal("1000.00")
    vat_rate = 21
    # A 0 % line in the tests is zero-rated (category Z), which needs no exemption reason.
    vat_category = factory.LazyAttribute(lambda o: VatCategory.STANDARD if o.vat_rate else VatCategory.ZERO)


def issued_invoice(
    company,
    *,
    lines=(("1000.00", 21),),
    issue_date: date | None = None,
    due_date: date | None = None,
    due_in: int | None = None,
    currency: str = "RON",
    series: str = "TST",
    number: int | None = None,
    **fields,
) -> Invoice:
    """``lines``: (unit price, VAT rate) or (quantity, unit price, VAT rate) tuples."""
    issue_date = issue_date or timezone.localdate() - timedelta(days=10)
    if due_date is None:
        due_date = timezone.localdate() + timedelta(days=due_in) if due_in is not None else issue_date + timedelta(30)
    issue_date = min(issue_date, due_date)
    invoice = InvoiceFactory(
        company=company,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        series=series,
        number=number or next(_numbers),
        **fields,
    )
    for position, spec in enumerate(lines, start=1):
        quantity, price, rate = spec if len(spec) == 3 else ("1", *spec)
        InvoiceLineFactory(
            invoice=invoice, position=position, quantity=Decimal(quantity), unit_price=Decimal(price), vat_rate=rate
        )
    return services.invoice_issue(invoice=invoice)


def credit_note(invoice: Invoice, *, lines=(("-1", "1000.00", 21),), issue_date: date | None = None) -> Invoice:
    note = InvoiceFactory(
        company=invoice.company,
        kind=Invoice.Kind.CREDIT_NOTE,
        reverses=invoice,
        currency=invoice.currency,
        series=invoice.series,
        issue_date=issue_date or max(invoice.issue_date, timezone.localdate() - timedelta(days=1)),
        due_date=issue_date or max(invoice.issue_date, timezone.localdate() - timedelta(days=1)),
    )
    for position, (quantity, price, rate) in enumerate(lines, start=1):
        InvoiceLineFactory(
            invoice=note,
            position=position,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            vat_rate=rate,
            description="Retur",
        )
    return services.invoice_issue(invoice=note)


def record_payment(
    company,
    amount,
    *,
    invoices=(),
    paid_on: date | None = None,
    currency: str = "RON",
    reference: str = "",
    method: str = Payment.Method.TRANSFER,
) -> Payment:
    payment = services.payment_record(
        company=company,
        paid_on=paid_on or timezone.localdate(),
        amount=Decimal(amount),
        currency=currency,
        method=method,
        reference=reference,
        invoices=invoices,
    )
    payment.refresh_from_db()
    return payment


def fresh(obj):
    obj.refresh_from_db()
    return obj
