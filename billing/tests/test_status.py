"""Totals, rounding and the status an invoice derives from its payments, credit notes and dates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import services
from billing.models import Invoice, Payment, PaymentAllocation
from billing.selectors import vat_breakdown
from billing.tests.factories import (
    InvoiceFactory,
    InvoiceLineFactory,
    credit_note,
    fresh,
    issued_invoice,
    record_payment,
)
from portal.money import line_amounts

D = Decimal
S = Invoice.Status


def today():
    return timezone.localdate()


@pytest.mark.parametrize(
    ("quantity", "price", "rate", "net", "vat"),
    [
        ("1", "1000.00", 21, "1000.00", "210.00"),
        ("3", "0.35", 21, "1.05", "0.22"),  # 0.2205 → 0.22
        ("1", "0.50", 21, "0.50", "0.11"),  # 0.105 → 0.11 (half up, not to even)
        ("2.5", "10.01", 11, "25.03", "2.75"),  # 25.025 → 25.03; 2.7533 → 2.75
        ("0.125", "10.00", 0, "1.25", "0.00"),  # 1.25 exactly
        ("0.333", "1.50", 21, "0.50", "0.11"),  # 0.4995 → 0.50
        ("-1", "0.50", 21, "-0.50", "-0.11"),  # storno: away from zero, symmetric
    ],
)
def test_each_line_rounds_half_up_to_the_ban(quantity, price, rate, net, vat):
    assert line_amounts(quantity=D(quantity), unit_price=D(price), vat_rate=rate) == (D(net), D(vat))


def test_totals_are_the_sums_of_the_rounded_lines(company_a):
    invoice = issued_invoice(
        company_a, lines=[("3", "0.35", 21), ("1", "0.50", 21), ("2.5", "10.01", 11), ("1", "100.00", 0)]
    )
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("126.58"), D("3.08"), D("129.66"))
    rows = vat_breakdown(invoice.lines.all())
    assert [(r["rate"], r["base"], r["vat"]) for r in rows] == [
        (21, D("1.55"), D("0.33")),
        (11, D("25.03"), D("2.75")),
        (0, D("100.00"), D("0.00")),
    ]
    assert sum(r["gross"] for r in rows) == invoice.total_gross
    assert invoice.balance == invoice.total_gross and invoice.status == S.ISSUED


def test_pure_status_derivation():
    def status(gross, credited, paid, kind="factura", issued=True):
        return services.derive_status(kind=kind, issued=issued, gross=D(gross), credited=D(credited), paid=D(paid))

    assert status("100", "0", "0", issued=False) == S.DRAFT
    assert status("100", "0", "0") == S.ISSUED
    assert status("100", "0", "40") == S.PARTIALLY_PAID
    assert status("100", "0", "100") == S.PAID
    assert status("100", "0", "120") == S.PAID  # more than owed is still paid
    assert status("100", "30", "0") == S.ISSUED  # reduced by a storno, nothing paid
    assert status("100", "30", "70") == S.PAID
    assert status("100", "100", "0") == S.CANCELLED
    assert status("-100", "0", "0", kind="storno") == S.CREDIT_NOTE


def test_partial_then_full_payment(company_a):
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)], due_in=10)
    record_payment(company_a, "500.00", invoices=[invoice])
    invoice = fresh(invoice)
    assert (invoice.status, invoice.amount_paid, invoice.balance) == (S.PARTIALLY_PAID, D("500.00"), D("710.00"))
    assert invoice.display_status() == "partial"
    record_payment(company_a, "710.00", invoices=[invoice])
    invoice = fresh(invoice)
    assert (invoice.status, invoice.balance) == (S.PAID, D("0.00"))


def test_overpayment_leaves_the_rest_as_credit(company_a):
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)])
    payment = record_payment(company_a, "1500.00", invoices=[invoice])
    invoice = fresh(invoice)
    assert invoice.status == S.PAID and invoice.amount_paid == D("1210.00") and invoice.balance == 0
    assert payment.allocated == D("1210.00") and payment.unallocated == D("290.00")


def test_one_payment_over_several_invoices_oldest_due_first(company_a):
    newer = issued_invoice(company_a, lines=[("100.00", 0)], due_date=today() + timedelta(days=20))
    older = issued_invoice(company_a, lines=[("100.00", 0)], due_date=today() - timedelta(days=5))
    record_payment(company_a, "150.00", invoices=[newer, older])
    assert fresh(older).status == S.PAID
    assert fresh(newer).status == S.PARTIALLY_PAID and fresh(newer).balance == D("50.00")


def test_overdue_follows_the_due_date_in_python_and_in_sql(company_a):
    late = issued_invoice(company_a, due_date=today() - timedelta(days=1))
    partly_late = issued_invoice(company_a, due_date=today() - timedelta(days=3))
    record_payment(company_a, "100.00", invoices=[partly_late])
    due_today = issued_invoice(company_a, due_date=today())
    paid_late = issued_invoice(company_a, due_date=today() - timedelta(days=30))
    record_payment(company_a, "1210.00", invoices=[paid_late])
    assert late.display_status() == fresh(partly_late).display_status() == "restanta"
    assert due_today.display_status() == "emisa" and fresh(paid_late).display_status() == "platita"
    overdue = Invoice.objects.for_company(company_a).with_display_status("restanta")
    assert set(overdue) == {late, partly_late}
    assert set(Invoice.objects.for_company(company_a).with_display_status("emisa")) == {due_today}
    assert set(Invoice.objects.for_company(company_a).with_display_status("neachitate")) == {
        late,
        partly_late,
        due_today,
    }


def test_a_full_credit_note_cancels_the_invoice(company_a):
    invoice = issued_invoice(company_a, lines=[("2", "500.00", 21)])
    note = credit_note(invoice, lines=[("-2", "500.00", 21)])
    invoice = fresh(invoice)
    assert note.status == S.CREDIT_NOTE and note.total_gross == D("-1210.00") and note.balance == 0
    assert invoice.status == S.CANCELLED and invoice.credited == D("1210.00") and invoice.balance == 0
    assert not invoice.is_open
    assert not Invoice.objects.for_company(company_a).overdue(today() + timedelta(days=365)).exists()


def test_a_partial_credit_note_lowers_what_is_left(company_a):
    invoice = issued_invoice(company_a, lines=[("2", "500.00", 21)])
    record_payment(company_a, "200.00", invoices=[invoice])
    credit_note(invoice, lines=[("-1", "500.00", 21)])
    invoice = fresh(invoice)
    assert invoice.credited == D("605.00") and invoice.amount_paid == D("200.00")
    assert invoice.balance == D("405.00") and invoice.status == S.PARTIALLY_PAID


def test_a_credit_note_on_a_paid_invoice_turns_the_excess_into_credit(company_a):
    invoice = issued_invoice(company_a, lines=[("2", "500.00", 21)])
    payment = record_payment(company_a, "1210.00", invoices=[invoice])
    credit_note(invoice, lines=[("-1", "500.00", 21)])
    invoice, payment = fresh(invoice), fresh(payment)
    assert invoice.status == S.PAID and invoice.balance == 0 and invoice.amount_paid == D("605.00")
    assert payment.unallocated == D("605.00")


def test_a_credit_note_cannot_exceed_what_is_left_to_reverse(company_a):
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)])
    credit_note(invoice, lines=[("-1", "600.00", 21)])
    with pytest.raises(ValidationError, match="depășește"):
        credit_note(invoice, lines=[("-1", "500.00", 21)])
    assert fresh(invoice).credited == D("726.00")


def test_a_credit_note_needs_negative_lines_and_an_issued_invoice(company_a, company_b):
    invoice = issued_invoice(company_a)
    with pytest.raises(ValidationError, match="negative"):
        credit_note(invoice, lines=[("1", "100.00", 21)])
    draft = InvoiceFactory(company=company_a)
    note = InvoiceFactory(company=company_a, kind=Invoice.Kind.CREDIT_NOTE, reverses=draft)
    InvoiceLineFactory(invoice=note, quantity=D("-1"))
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=note)
    foreign = InvoiceFactory(company=company_b, kind=Invoice.Kind.CREDIT_NOTE, reverses=invoice)
    InvoiceLineFactory(invoice=foreign, quantity=D("-1"))
    with pytest.raises(ValidationError, match="altei companii"):
        services.invoice_issue(invoice=foreign)


def test_issuing_numbers_the_invoice_and_enqueues_its_pdf(company_a, django_capture_on_commit_callbacks):
    issued_invoice(company_a, series="FX", number=41)
    draft = InvoiceFactory(company=company_a, series="FX", number=None)
    InvoiceLineFactory(invoice=draft)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invoice = services.invoice_issue(invoice=draft)
    assert invoice.number == 42 and fresh(invoice).pdf is not None and fresh(invoice).xml is not None
    assert len(callbacks) == 1  # one task, which sends the PDF, the XML and the notice as their own
    with pytest.raises(ValidationError, match="deja emisă"):
        services.invoice_issue(invoice=invoice)


def test_an_invoice_without_lines_is_not_issued(company_a):
    draft = InvoiceFactory(company=company_a)
    with pytest.raises(ValidationError, match="nicio linie"):
        services.invoice_issue(invoice=draft)
    assert fresh(draft).status == S.DRAFT


def test_allocations_are_checked(company_a, company_b):
    invoice = issued_invoice(company_a, lines=[("100.00", 0)])
    eur = issued_invoice(company_a, lines=[("100.00", 0)], currency="EUR")
    other = issued_invoice(company_b, lines=[("100.00", 0)])
    payment = record_payment(company_a, "300.00")
    for rows, message in [
        ([(invoice, D("150.00"))], "cel mult"),
        ([(eur, D("10.00"))], "EUR"),
        ([(other, D("10.00"))], "altei companii"),
        ([(invoice, D("0"))], "pozitivă"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.payment_set_allocations(payment=payment, rows=rows)
    assert not PaymentAllocation.objects.exists()
    second = issued_invoice(company_a, lines=[("250.00", 0)])
    with pytest.raises(ValidationError, match="depășesc suma"):
        services.payment_set_allocations(payment=payment, rows=[(invoice, D("100.00")), (second, D("250.00"))])


def test_changing_and_deleting_allocations_recomputes_the_invoices(company_a):
    first = issued_invoice(company_a, lines=[("100.00", 0)])
    second = issued_invoice(company_a, lines=[("100.00", 0)])
    payment = record_payment(company_a, "150.00", invoices=[first, second])
    services.payment_set_allocations(payment=payment, rows=[(second, D("100.00"))])
    assert fresh(first).status == S.ISSUED and fresh(second).status == S.PAID
    assert fresh(payment).unallocated == D("50.00")
    services.payment_delete(payment=payment)
    assert fresh(second).status == S.ISSUED and not Payment.objects.exists()


def test_payment_references_are_unique_per_company(company_a, company_b):
    record_payment(company_a, "10.00", reference="OP 17")
    record_payment(company_b, "10.00", reference="OP 17")
    with pytest.raises(ValidationError, match="OP 17"):
        record_payment(company_a, "20.00", reference="OP 17")
