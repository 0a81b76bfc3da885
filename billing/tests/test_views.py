"""Client pages: lists with filters and sums, the invoice page and PDF, announcing a payment."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MembershipFactory
from billing import services
from billing.models import Invoice, PaymentNotice
from billing.selectors import invoice_pdf_context
from billing.tests.factories import (
    InvoiceFactory,
    InvoiceLineFactory,
    credit_note,
    fresh,
    issued_invoice,
    record_payment,
)
from files.models import StoredFile
from files.tests.factories import DocumentFactory, pdf_upload, png_upload, upload
from portal.models import AuditEntry

D = Decimal


def today():
    return timezone.localdate()


@pytest.fixture
def invoices_a(company_a):
    late = issued_invoice(
        company_a,
        series="A",
        number=1,
        lines=[("1000.00", 21)],
        issue_date=today() - timedelta(days=40),
        due_date=today() - timedelta(days=10),
    )
    partial = issued_invoice(
        company_a,
        series="A",
        number=2,
        lines=[("500.00", 21)],
        issue_date=today() - timedelta(days=20),
        due_date=today() + timedelta(days=3),
    )
    record_payment(company_a, "100.00", invoices=[partial])
    paid = issued_invoice(
        company_a,
        series="A",
        number=3,
        lines=[("200.00", 21)],
        issue_date=today() - timedelta(days=90),
        due_date=today() - timedelta(days=60),
    )
    record_payment(company_a, "242.00", invoices=[paid], reference="OP 3")
    eur = issued_invoice(
        company_a,
        series="A",
        number=4,
        lines=[("100.00", 0)],
        currency="EUR",
        issue_date=today() - timedelta(days=5),
        due_date=today() + timedelta(days=25),
    )
    record_payment(company_a, "50.00", reference="AVANS")
    InvoiceFactory(company=company_a, series="A", number=5)  # a draft: never shown
    return {"late": late, "partial": fresh(partial), "paid": paid, "eur": eur}


def test_list_shows_outstanding_and_overdue_per_currency(client, admin_a, invoices_a):
    client.force_login(admin_a)
    response = client.get(reverse("billing:invoice_list"))
    page = response.content.decode()
    ron, eur = response.context["totals"]
    assert (ron.currency, ron.outstanding, ron.overdue, ron.credit) == ("RON", D("1715.00"), D("1210.00"), D("50.00"))
    assert (eur.currency, eur.outstanding, eur.overdue) == ("EUR", D("100.00"), D("0.00"))
    assert 'data-total="outstanding-RON">1.715,00 lei<' in page and 'data-total="overdue-RON">1.210,00 lei<' in page
    assert "A 5" not in page and "4 documente" in page
    assert "table-danger" in page and "table-warning" in page  # overdue and due-soon highlighting


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "restanta"}, ["A 1"]),
        ({"status": "partial"}, ["A 2"]),
        ({"status": "platita"}, ["A 3"]),
        ({"status": "neachitate"}, ["A 4", "A 2", "A 1"]),
        ({"date_from": "X"}, ["A 4", "A 2", "A 1", "A 3"]),
        ({"sort": "due"}, ["A 3", "A 1", "A 2", "A 4"]),
    ],
)
def test_list_filters(client, admin_a, invoices_a, params, expected):
    client.force_login(admin_a)
    page = client.get(reverse("billing:invoice_list"), params).context["page"]
    assert [invoice.label for invoice in page] == expected


def test_list_filters_by_period_and_project(client, admin_a, company_a, invoices_a):
    from projects.models import Project

    project = Project.objects.create(
        company=company_a,
        code="PRJ-1",
        name="Irigații",
        planned_start=today(),
        planned_end=today() + timedelta(days=30),
    )
    Invoice.objects.filter(pk=invoices_a["late"].pk).update(project=project)
    client.force_login(admin_a)
    start = (today() - timedelta(days=25)).isoformat()
    page = client.get(reverse("billing:invoice_list"), {"date_from": start}).context["page"]
    assert [invoice.label for invoice in page] == ["A 4", "A 2"]
    response = client.get(reverse("billing:invoice_list"), {"project": str(project.public_id)})
    assert [invoice.label for invoice in response.context["page"]] == ["A 1"]
    assert "PRJ-1 — Irigații" in response.content.decode()


def test_another_company_sees_none_of_it(client, member_b, invoices_a):
    client.force_login(member_b)
    page = client.get(reverse("billing:invoice_list")).content.decode()
    assert "A 1" not in page
    for name in ("billing:invoice_detail", "billing:invoice_pdf"):
        assert client.get(reverse(name, args=[invoices_a["late"].public_id])).status_code == 404


def test_members_without_the_billing_right_get_403_and_a_member_with_it_gets_in(
    client, member_a, company_a, invoices_a
):
    client.force_login(member_a)
    assert client.get(reverse("billing:invoice_list")).status_code == 403
    accountant = MembershipFactory(company=company_a, can_see_billing=True).user
    client.force_login(accountant)
    assert client.get(reverse("billing:invoice_detail", args=[invoices_a["late"].public_id])).status_code == 200


def test_a_draft_is_404(client, admin_a, company_a):
    draft = InvoiceFactory(company=company_a)
    client.force_login(admin_a)
    assert client.get(reverse("billing:invoice_detail", args=[draft.public_id])).status_code == 404
    assert client.get(reverse("billing:invoice_pdf", args=[draft.public_id])).status_code == 404


def test_detail_shows_lines_vat_payments_and_balance(client, admin_a, company_a, staff):
    invoice = issued_invoice(company_a, lines=[("2", "100.00", 21), ("1", "50.00", 11)])
    record_payment(company_a, "100.00", invoices=[invoice], reference="OP 991")
    credit_note(invoice, lines=[("-1", "50.00", 11)])
    DocumentFactory(company=company_a, title="Aviz de însoțire", linked=invoice)
    client.force_login(admin_a)
    response = client.get(reverse("billing:invoice_detail", args=[invoice.public_id]))
    page = response.content.decode()
    invoice = fresh(invoice)
    assert invoice.balance == D("242.00") + D("55.50") - D("55.50") - D("100.00")
    assert 'data-total="gross">297,50 lei' in page and 'data-total="balance">142,00 lei' in page
    assert "OP 991" in page and "Aviz de însoțire" in page and "Factură storno" in page
    assert [row["rate"] for row in response.context["vat_rows"]] == [21, 11]


def test_the_page_and_the_pdf_show_the_same_totals(client, admin_a, company_a):
    invoice = issued_invoice(company_a, lines=[("3", "0.35", 21), ("2.5", "10.01", 11), ("7", "99.99", 21)])
    client.force_login(admin_a)
    response = client.get(reverse("billing:invoice_detail", args=[invoice.public_id]))
    context = invoice_pdf_context(fresh(invoice))
    assert (context["total_net"], context["total_vat"], context["total_gross"]) == (
        invoice.total_net,
        invoice.total_vat,
        invoice.total_gross,
    )
    assert [(r["base"], r["vat"]) for r in context["vat_rows"]] == [
        (r["base"], r["vat"]) for r in response.context["vat_rows"]
    ]
    assert sum(r["base"] + r["vat"] for r in context["vat_rows"]) == invoice.total_gross
    assert sum(line.net_amount + line.vat_amount for line in context["lines"]) == invoice.total_gross


def test_pdf_is_served_from_storage_and_generated_by_the_task_if_missing(
    client, admin_a, company_a, django_capture_on_commit_callbacks
):
    invoice = issued_invoice(company_a, series="FRN", number=88)
    client.force_login(admin_a)
    url = reverse("billing:invoice_pdf", args=[invoice.public_id])
    with django_capture_on_commit_callbacks(execute=True):  # the issue's task did not run in this test
        waiting = client.get(url)
    assert waiting.status_code == 200 and waiting["Retry-After"] == "5"
    assert "se generează" in waiting.content.decode() and 'http-equiv="refresh"' in waiting.content.decode()
    response = client.get(url)  # the task ran after the first answer
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Factura-FRN-88.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    stored = fresh(invoice).pdf
    assert stored is not None and stored.company == company_a
    # The generating page's reload opens it in the browser instead of downloading it again and again.
    assert client.get(url, {"generat": "1"})["Content-Disposition"].startswith("inline")
    assert StoredFile.objects.count() == 1
    assert AuditEntry.objects.filter(action="invoice.downloaded").count() == 2


def test_regenerating_replaces_the_stored_pdf(company_a, django_capture_on_commit_callbacks):
    invoice = issued_invoice(company_a)
    first = services.invoice_render_pdf(invoice_id=invoice.pk)
    assert services.invoice_render_pdf(invoice_id=invoice.pk) == first
    with django_capture_on_commit_callbacks(execute=True):
        second = services.invoice_render_pdf(invoice_id=invoice.pk, force=True)
    assert second != first and fresh(invoice).pdf == second
    assert list(StoredFile.objects.all()) == [second]


def test_payments_page_lists_allocations_notices_and_credit(client, admin_a, invoices_a):
    client.force_login(admin_a)
    page = client.get(reverse("billing:payment_list")).content.decode()
    assert "OP 3" in page and "A 3" in page and "avans nealocat de 50,00 lei:" in page


# --- announcing a payment -------------------------------------------------------------------------


def notice_data(invoices=(), **overrides):
    data = {
        "amount": "1210.00",
        "currency": "RON",
        "paid_on": today().isoformat(),
        "reference": "OP 555",
        "message": "Plătit din contul BT",
        "invoices": [str(i.public_id) for i in invoices],
        "proof": pdf_upload("ordin.pdf"),
    }
    data.update(overrides)
    return data


def test_announcing_a_payment_keeps_the_proof_and_tells_staff(
    client, admin_a, company_a, invoices_a, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["contabilitate@furnizor.ro"]
    client.force_login(admin_a)
    form = client.get(reverse("billing:notice_create"), {"invoice": invoices_a["late"].public_id})
    assert form.context["form"].initial["amount"] == D("1210.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:notice_create"), notice_data([invoices_a["late"]]))
    assert response.status_code == 302 and response["Location"] == reverse("billing:payment_list")
    notice = PaymentNotice.objects.get()
    assert notice.company == company_a and notice.announced_by == admin_a and notice.status == "pending"
    assert notice.proof.company == company_a and notice.proof.original_name == "ordin.pdf"
    assert [link.invoice for link in notice.invoice_links.all()] == [invoices_a["late"]]
    assert mailoutbox[0].to == ["contabilitate@furnizor.ro"] and "1.210,00 lei" in mailoutbox[0].subject
    assert fresh(invoices_a["late"]).status == "emisa"  # nothing is paid until staff confirm
    detail = client.get(reverse("billing:invoice_detail", args=[invoices_a["late"].public_id]))
    assert "Plată anunțată, în verificare" in detail.content.decode() and "OP 555" in detail.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"proof": upload("ordin.exe", b"MZ\x90\x00")}, "proof", "nu sunt acceptate"),
        ({"proof": upload("ordin.pdf", b"<html>nu e pdf</html>")}, "proof", "nu corespunde"),
        ({"proof": ""}, "proof", "obligatoriu"),
        ({"amount": "0"}, "amount", ""),
        ({"paid_on": "2099-01-01"}, "paid_on", "viitor"),
        ({"currency": "EUR"}, "invoices", "moneda plății"),
    ],
)
def test_a_bad_announcement_saves_nothing(client, admin_a, invoices_a, overrides, field, message):
    client.force_login(admin_a)
    response = client.post(reverse("billing:notice_create"), notice_data([invoices_a["late"]], **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not PaymentNotice.objects.exists() and not StoredFile.objects.exists()


def test_another_companys_invoice_cannot_be_named(client, member_b, invoices_a):
    client.force_login(member_b)
    response = client.post(reverse("billing:notice_create"), notice_data([invoices_a["late"]]))
    assert response.status_code == 400 and "invoices" in response.context["form"].errors
    assert not PaymentNotice.objects.exists()


def test_the_same_reference_is_not_announced_twice_while_pending(client, admin_a, invoices_a):
    client.force_login(admin_a)
    client.post(reverse("billing:notice_create"), notice_data(proof=png_upload("ordin.png")))
    response = client.post(reverse("billing:notice_create"), notice_data())
    assert response.status_code == 400 and "deja" in " ".join(response.context["form"].errors["reference"])
    assert PaymentNotice.objects.count() == 1 and StoredFile.objects.count() == 1


# --- query ceilings -------------------------------------------------------------------------------


def _fixed(client, url, add, django_assert_max_num_queries, params=None):
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params or {}).status_code == 200
    ceiling = len(few)  # now: the query log is a bounded deque that add() may roll over
    add()
    with django_assert_max_num_queries(ceiling):
        return client.get(url, params or {})


def test_invoice_list_runs_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    from projects.models import Project

    project = Project.objects.create(
        company=company_a, code="PRJ-9", name="Linie", planned_start=today(), planned_end=today()
    )

    def add(n=1):
        for i in range(n):
            invoice = issued_invoice(company_a, project=project, due_date=today() - timedelta(days=i % 3))
            credit_note(invoice, lines=[("-1", "10.00", 21)])
            record_payment(company_a, "10.00", invoices=[invoice])

    add(2)
    client.force_login(admin_a)
    response = _fixed(client, reverse("billing:invoice_list"), lambda: add(30), django_assert_max_num_queries)
    assert "Pagina 1 din 3" in response.content.decode()


def test_invoice_detail_runs_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    from billing.tests.factories import InvoiceLineFactory

    invoice = issued_invoice(company_a, lines=[("1", "100.00", 21)] * 2)
    client.force_login(admin_a)

    def add(lines, payments, notes, documents):
        for i in range(lines):
            InvoiceLineFactory(invoice=invoice, position=10 + i)
        services.invoice_refresh(invoice=invoice)
        for _ in range(payments):
            record_payment(company_a, "10.00", invoices=[invoice])
        for _ in range(notes):
            credit_note(invoice, lines=[("-1", "10.00", 21)])
        for i in range(documents):
            DocumentFactory(company=company_a, title=f"Anexă {i}", linked=invoice)
        for i in range(notes):  # several people announced payments: each row shows who
            reference = f"OP {payments}-{i}"
            client.post(
                reverse("billing:notice_create"),
                notice_data([invoice], reference=reference, proof=pdf_upload("ordin.pdf", reference)),
            )

    add(1, 1, 1, 1)
    response = _fixed(
        client,
        reverse("billing:invoice_detail", args=[invoice.public_id]),
        lambda: add(20, 10, 3, 5),
        django_assert_max_num_queries,
    )
    assert len(response.context["lines"]) == 23 and len(response.context["allocations"]) == 11
    assert len(response.context["pending_notices"]) == 4


def test_payment_list_runs_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    def add(n=1):
        for _ in range(n):
            invoices = [issued_invoice(company_a, lines=[("10.00", 0)]) for _ in range(2)]
            record_payment(company_a, "25.00", invoices=invoices)

    add(2)
    client.force_login(admin_a)
    client.post(reverse("billing:notice_create"), notice_data(amount="5", reference="OP X"))
    response = _fixed(client, reverse("billing:payment_list"), lambda: add(30), django_assert_max_num_queries)
    assert "Pagina 1 din 2" in response.content.decode()


def test_notice_form_runs_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    issued_invoice(company_a)
    client.force_login(admin_a)
    _fixed(
        client,
        reverse("billing:notice_create"),
        lambda: [issued_invoice(company_a) for _ in range(15)],
        django_assert_max_num_queries,
    )


def test_the_invoice_shows_its_delivery_date_and_why_a_line_has_no_vat(client, admin_a, company_a):
    invoice = InvoiceFactory(company=company_a, issue_date=date(2025, 8, 3), due_date=date(2025, 9, 2))
    invoice.delivery_date = date(2025, 7, 31)
    invoice.save(update_fields=["delivery_date"])
    InvoiceLineFactory(invoice=invoice, position=1, vat_rate=19)
    InvoiceLineFactory(
        invoice=invoice, position=2, vat_rate=0, vat_category="E", vat_exemption_reason="Scutit conform art. 292"
    )
    services.invoice_issue(invoice=invoice)
    client.force_login(admin_a)
    page = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert "Data livrării" in page and "31.07.2025" in page
    assert "Scutit conform art. 292" in page and "(19%)" in page
    assert '<abbr title="E — scutit de TVA">E</abbr>' in page


def test_the_invoice_rounds_vat_once_per_rate(client, admin_a, company_a):
    """Two lines of 1,02 at 21 %: 0,21 VAT each on the lines, 0,43 for the invoice (2,04 × 21 % = 0,4284)."""
    invoice = issued_invoice(company_a, lines=(("1.02", 21), ("1.02", 21)))
    assert [line.vat_amount for line in invoice.lines.all()] == [D("0.21"), D("0.21")]
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("2.04"), D("0.43"), D("2.47"))
    client.force_login(admin_a)
    page = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert "0,43" in page and "2,47" in page
    assert invoice_pdf_context(invoice)["vat_rows"][0]["vat"] == D("0.43")
