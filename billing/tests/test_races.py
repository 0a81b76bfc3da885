"""Races that matter, on PostgreSQL with threads: a notice confirmed twice at once, two payments
settling the same invoice at once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from billing import services
from billing.models import Payment, PaymentNotice
from billing.tests.factories import fresh, issued_invoice
from conftest import require
from files.tests.factories import pdf_upload
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_parallel(*calls) -> list:
    """Run the calls together; sorted, "ok" for each that went through, "refused" for a ValidationError
    (any other error stands as itself, so the comparison fails showing it)."""
    return sorted(
        "ok" if not isinstance(r, Exception) else "refused" if isinstance(r, ValidationError) else repr(r)
        for r in run_together(calls)
    )


def test_two_staff_confirm_the_same_notice_once(company_a, admin_a, staff):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)])
    notice = services.notice_create(
        company=company_a,
        user=admin_a,
        paid_on=timezone.localdate(),
        amount=Decimal("1210.00"),
        currency="RON",
        reference="OP 1",
        proof=pdf_upload(),
        invoices=[invoice],
    )
    confirm = lambda: services.notice_confirm(notice=notice, by=staff)  # noqa: E731
    assert in_parallel(confirm, confirm) == ["ok", "refused"]
    assert Payment.objects.count() == 1 and fresh(invoice).status == "platita"


def test_two_payments_at_once_never_overpay_an_invoice(company_a):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    invoice = issued_invoice(company_a, lines=[("1000.00", 0)])
    payments = [
        services.payment_record(
            company=company_a,
            paid_on=timezone.localdate(),
            amount=Decimal("700.00"),
            currency="RON",
            method="transfer",
            reference=f"OP {n}",
        )
        for n in (1, 2)
    ]
    calls = [lambda p=p: services.allocate_oldest_first(payment=p, invoices=[invoice]) for p in payments]
    assert in_parallel(*calls) == ["ok", "ok"]
    invoice = fresh(invoice)
    assert invoice.amount_paid == Decimal("1000.00") and invoice.balance == 0
    assert sum((fresh(p).unallocated for p in payments), Decimal("0")) == Decimal("400.00")


def test_the_same_announcement_sent_twice_at_once_is_kept_once(company_a, admin_a, staff):
    """A double click on "Trimite anunțul de plată": one notice, the other refused as its duplicate."""
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)])

    def announce():
        return services.notice_create(
            company=company_a,
            user=admin_a,
            paid_on=timezone.localdate(),
            amount=Decimal("1210.00"),
            currency="RON",
            reference="OP 1",
            proof=pdf_upload(),
            invoices=[invoice],
        )

    assert in_parallel(announce, announce) == ["ok", "refused"]
    assert PaymentNotice.objects.count() == 1
