"""The supplier's back office: invoices with lines, payments with allocations, payment notices."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import Invoice, Payment, PaymentAllocation
from billing.tests.factories import InvoiceFactory, InvoiceLineFactory, fresh, issued_invoice, record_payment
from files.tests.factories import pdf_upload
from portal import audit
from portal.models import AuditEntry

D = Decimal


def today():
    return timezone.localdate()


def d(value):
    return value.strftime("%d.%m.%Y")


def inline(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def notice(company_a, admin_a):
    late = issued_invoice(
        company_a,
        lines=[("1000.00", 21)],
        due_date=today() - timedelta(days=40),
        issue_date=today() - timedelta(days=70),
    )
    newer = issued_invoice(company_a, lines=[("100.00", 21)], due_date=today() - timedelta(days=2))
    return services.notice_create(
        company=company_a,
        user=admin_a,
        paid_on=today(),
        amount=D("1500.00"),
        currency="RON",
        reference="OP 7001",
        proof=pdf_upload("ordin.pdf"),
        invoices=[newer, late],
    )


def test_staff_add_an_invoice_with_lines_and_issue_it(client, staff, company_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    data = {
        "company": company_a.pk,
        "kind": "factura",
        "series": "ADM",
        "number": "",
        "issue_date": d(today()),
        "due_date": d(today() + timedelta(days=30)),
        "currency": "RON",
        "reverses": "",
        "contract": "",
        "project": "",
        "notes": "",
        **inline(
            "lines",
            [
                {
                    "position": "1",
                    "product_code": "P1",
                    "description": "Pompă",
                    "unit": "buc",
                    "quantity": "2",
                    "unit_price": "1500.00",
                    "vat_rate": "21",
                    "vat_category": "S",
                },
                {
                    "position": "2",
                    "product_code": "",
                    "description": "Manual",
                    "unit": "buc",
                    "quantity": "1",
                    "unit_price": "95.00",
                    "vat_rate": "11",
                    "vat_category": "S",
                },
            ],
        ),
        **inline("allocations", []),
    }
    response = client.post(reverse("admin:billing_invoice_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get(series="ADM")
    assert invoice.status == Invoice.Status.DRAFT and invoice.total_gross == D("3735.45")
    assert {line.company for line in invoice.lines.all()} == {company_a}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:billing_invoice_changelist"), {"action": "issue", "_selected_action": [invoice.pk]})
    invoice = fresh(invoice)
    assert invoice.status == Invoice.Status.ISSUED and invoice.number == 1 and invoice.pdf is not None
    # Issued: a fiscal document; the change form shows it read-only and saving changes nothing.
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).content.decode()
    assert 'name="series"' not in page
    client.post(reverse("admin:billing_invoice_change", args=[invoice.pk]), {})
    assert fresh(invoice).total_gross == D("3735.45")


def test_the_admin_refuses_a_due_date_before_the_issue_date(client, staff, company_a):
    client.force_login(staff)
    data = {
        "company": company_a.pk,
        "kind": "factura",
        "series": "ADM",
        "issue_date": d(today()),
        "due_date": d(today() - timedelta(days=1)),
        "currency": "RON",
        **inline("lines", []),
        **inline("allocations", []),
    }
    response = client.post(reverse("admin:billing_invoice_add"), data)
    assert response.status_code == 200 and "Scadența nu poate fi" in response.content.decode()
    assert not Invoice.objects.exists()


def test_regenerate_pdf_action_and_admin_download(client, staff, company_a):
    invoice = issued_invoice(company_a)
    draft = InvoiceFactory(company=company_a)
    client.force_login(staff)
    response = client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "regenerate_pdf", "_selected_action": [invoice.pk, draft.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("PDF regenerat pentru 1 factură" in m for m in messages)
    assert any("ciornă" in m for m in messages)
    first = fresh(invoice).pdf
    client.post(
        reverse("admin:billing_invoice_changelist"), {"action": "regenerate_pdf", "_selected_action": [invoice.pk]}
    )
    assert fresh(invoice).pdf != first
    download = client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_staff_record_a_payment_with_allocations(client, staff, company_a):
    first = issued_invoice(company_a, lines=[("100.00", 0)])
    second = issued_invoice(company_a, lines=[("100.00", 0)])
    client.force_login(staff)
    data = {
        "company": company_a.pk,
        "date": d(today()),
        "amount": "150.00",
        "currency": "RON",
        "method": "transfer",
        "reference": "OP 88",
        "notes": "",
        **inline("allocations", [{"invoice": first.pk, "amount": "100.00"}, {"invoice": second.pk, "amount": "50.00"}]),
    }
    response = client.post(reverse("admin:billing_payment_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    payment = Payment.objects.get(reference="OP 88")
    assert payment.allocated == D("150.00") and payment.created_by == staff
    assert fresh(first).status == "platita" and fresh(second).status == "partial"
    assert AuditEntry.objects.filter(action="payment.allocations_changed").exists()


def test_the_allocation_inline_refuses_too_much(client, staff, company_a):
    invoice = issued_invoice(company_a, lines=[("100.00", 0)])
    client.force_login(staff)
    data = {
        "company": company_a.pk,
        "date": d(today()),
        "amount": "500.00",
        "currency": "RON",
        "method": "transfer",
        "reference": "OP 89",
        "notes": "",
        **inline("allocations", [{"invoice": invoice.pk, "amount": "300.00"}]),
    }
    response = client.post(reverse("admin:billing_payment_add"), data)
    assert response.status_code == 200 and "cel mult 100,00 lei" in response.content.decode()
    assert not Payment.objects.exists() and fresh(invoice).status == "emisa"


def test_deleting_a_payment_in_admin_reopens_its_invoices(client, staff, company_a):
    invoice = issued_invoice(company_a, lines=[("100.00", 0)])
    payment = record_payment(company_a, "100.00", invoices=[invoice])
    client.force_login(staff)
    client.post(
        reverse("admin:billing_payment_changelist"),
        {"action": "delete_selected", "_selected_action": [payment.pk], "post": "yes"},
    )
    assert not Payment.objects.exists() and fresh(invoice).status == "emisa"


def test_confirming_a_notice_records_and_allocates_the_payment_oldest_first(
    client, staff, notice, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:billing_paymentnotice_changelist"),
            {"action": "confirm", "_selected_action": [notice.pk]},
            follow=True,
        )
    assert any("1 plată confirmată" in str(m) for m in response.context["messages"])
    notice = fresh(notice)
    assert notice.status == "confirmed" and notice.decided_by == staff
    payment = notice.payment
    assert (payment.amount, payment.reference, payment.date) == (D("1500.00"), "OP 7001", today())
    allocations = list(PaymentAllocation.objects.order_by("invoice__due_date").values_list("amount", flat=True))
    assert allocations == [D("1210.00"), D("121.00")]
    assert payment.unallocated == D("169.00")
    assert mailoutbox[-1].to == [admin_a.email] and "confirmată" in mailoutbox[-1].subject
    # Twice: nothing more.
    client.post(
        reverse("admin:billing_paymentnotice_changelist"), {"action": "confirm", "_selected_action": [notice.pk]}
    )
    assert Payment.objects.count() == 1


def test_a_payment_already_imported_is_linked_not_doubled(staff, notice, company_a):
    record_payment(company_a, "1500.00", reference="OP 7001")
    payment = services.notice_confirm(notice=notice, by=staff)
    assert Payment.objects.count() == 1 and fresh(notice).payment == payment


def test_rejecting_a_notice_asks_for_a_reason(
    client, staff, notice, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    url = reverse("admin:billing_paymentnotice_changelist")
    page = client.post(url, {"action": "reject", "_selected_action": [notice.pk]})
    assert page.status_code == 200 and "Motivul respingerii" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {"action": "reject", "_selected_action": [notice.pk], "apply": "1", "reason": "Suma nu apare în extras."},
        )
    notice = fresh(notice)
    assert notice.status == "rejected" and notice.rejection_reason == "Suma nu apare în extras."
    assert not Payment.objects.exists()
    assert "Suma nu apare în extras." in mailoutbox[-1].body
    with pytest.raises(Exception, match="deja verificată"):
        services.notice_confirm(notice=notice, by=staff)


def test_staff_open_the_proof(client, staff, notice):
    client.force_login(staff)
    page = client.get(reverse("admin:billing_paymentnotice_change", args=[notice.pk])).content.decode()
    assert "ordin.pdf" in page
    response = client.get(reverse("admin:billing_paymentnotice_proof", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_admin_lists_render(client, staff, notice, company_a):
    draft = InvoiceFactory(company=company_a)
    InvoiceLineFactory(invoice=draft)
    services.send_invoice_reminders()
    client.force_login(staff)
    for name in ("billing_invoice", "billing_payment", "billing_paymentnotice", "billing_invoicereminder"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:billing_invoice_changelist"), {"display_status": "restanta"}).status_code == 200
    assert client.get(reverse("admin:billing_invoice_change", args=[draft.pk])).status_code == 200
    assert client.get(reverse("admin:billing_payment_add")).status_code == 200


def test_an_issued_invoice_is_neither_deleted_nor_given_new_lines(company_a):
    draft = InvoiceFactory(company=company_a)
    invoice = issued_invoice(company_a)
    with pytest.raises(ValidationError, match="se anulează printr-o factură storno"):
        services.invoice_delete(invoice=invoice)
    with pytest.raises(ValidationError, match="se corectează doar printr-o factură storno"):
        services.invoice_save_lines(invoice=invoice, lines=[], deleted=list(invoice.lines.all()))
    services.invoice_delete(invoice=draft)
    assert list(Invoice.objects.all()) == [invoice] and fresh(invoice).lines.exists()


def test_staff_actions_on_notices_record_the_request_address(staff, notice):
    with audit.request_ip_bound("203.0.113.9"):
        services.notice_confirm(notice=notice, by=staff)
    assert AuditEntry.objects.get(action="payment_notice.confirmed").ip == "203.0.113.9"


def _draft_with_one_line(company, *, delivery_date: str, **line) -> dict:
    return {
        "company": company.pk,
        "kind": "factura",
        "series": "TVA",
        "issue_date": "03.08.2025",
        "due_date": "02.09.2025",
        "delivery_date": delivery_date,
        "currency": "RON",
        **inline(
            "lines",
            [{"position": "1", "description": "Pompă", "unit": "buc", "quantity": "1", "unit_price": "100.00", **line}],
        ),
        **inline("allocations", []),
    }


def test_the_admin_checks_each_lines_vat_against_the_delivery_date(client, staff, company_a):
    """Delivered on 31 July 2025, invoiced on 3 August: the 19 % of the delivery day applies, not 21 %."""
    client.force_login(staff)
    url = reverse("admin:billing_invoice_add")
    refused = client.post(
        url, _draft_with_one_line(company_a, delivery_date="31.07.2025", vat_rate="21", vat_category="S")
    )
    assert refused.status_code == 200
    assert "Linia 1: Cota de 21% nu era în vigoare la 31.07.2025" in refused.content.decode()
    exempt = _draft_with_one_line(company_a, delivery_date="", vat_rate="0", vat_category="E")
    assert "cere motivul scutirii" in client.post(url, exempt).content.decode()
    assert not Invoice.objects.exists()
    accepted = client.post(
        url, _draft_with_one_line(company_a, delivery_date="31.07.2025", vat_rate="19", vat_category="S")
    )
    assert accepted.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.tax_point == date(2025, 7, 31) and invoice.total_vat == D("19.00")


def test_issuing_refuses_a_line_whose_rate_was_not_in_force(company_a):
    invoice = InvoiceFactory(company=company_a, issue_date=date(2025, 7, 31), due_date=date(2025, 8, 30))
    InvoiceLineFactory(invoice=invoice, position=1, vat_rate=21)
    with pytest.raises(ValidationError, match=r"Linia 1: Cota de 21% nu era în vigoare la 31\.07\.2025"):
        services.invoice_issue(invoice=invoice)
    assert fresh(invoice).status == Invoice.Status.DRAFT
