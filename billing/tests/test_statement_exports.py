"""The statement page's running balance from the database, and the statement's PDF and long CSV built by a task
into an export kept a week (issue 20 H)."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MembershipFactory
from billing import selectors, services, views
from billing.models import StatementExport
from billing.services import statement_exports
from billing.tests.factories import credit_note, issued_invoice, record_payment
from files.models import StoredFile
from portal.models import Notification

D = Decimal


def ago(days):
    return timezone.localdate() - timedelta(days=days)


def period(days_from=200, days_to=0, currency="RON"):
    return {"date_from": ago(days_from), "date_to": ago(days_to), "currency": currency}


def query(days_from=200, days_to=0, currency="RON"):
    return {key: str(value) for key, value in period(days_from, days_to, currency).items()}


@pytest.fixture
def mix(company_a, company_b):
    """Invoices, credit notes and payments in RON and EUR, some on the same day, an opening balance (documents
    and payments before the period), an advance, documents after the period, and another company's."""
    rng = random.Random(20)
    old = issued_invoice(company_a, lines=[("1000.00", 21)], issue_date=ago(260), due_date=ago(230))
    record_payment(company_a, "400.00", invoices=[old], paid_on=ago(240))
    issued_invoice(company_a, lines=[("300.00", 21)], currency="EUR", issue_date=ago(250), due_date=ago(220))
    for day in range(190, 5, -9):
        currency = "EUR" if day % 4 == 0 else "RON"
        invoice = issued_invoice(
            company_a,
            lines=[(str(rng.randint(1, 9)), f"{rng.randint(1, 99999) / 100:.2f}", rng.choice([21, 11, 0]))],
            issue_date=ago(day),
            due_date=ago(day - 30),
            currency=currency,
        )
        if day % 3 == 0:
            credit_note(invoice, lines=[("-1", f"{rng.randint(1, 999) / 100:.2f}", 21)], issue_date=ago(day))
        if day % 2 == 0:  # the same day as the invoice: documents before payments
            record_payment(company_a, f"{rng.randint(1, 5000) / 100:.2f}", paid_on=ago(day), currency=currency)
        record_payment(
            company_a, f"{rng.randint(1, 30000) / 100:.2f}", invoices=[invoice], paid_on=ago(day - 2), currency=currency
        )
    issued_invoice(company_a, lines=[("999.00", 21)], issue_date=ago(-3), due_date=ago(-30))  # after the period
    issued_invoice(company_b, lines=[("5000.00", 21)], issue_date=ago(50), due_date=ago(20))


def _shown(movements):
    return [(m.date, m.kind, m.document, m.detail, m.debit, m.credit, m.balance, m.url) for m in movements]


# --- the running balance from the database ------------------------------------------------------------------


@pytest.mark.parametrize("currency", ["RON", "EUR"])
@pytest.mark.parametrize("per_page", [1, 4, 7, 50])
def test_the_window_balance_is_the_python_one_page_after_page(company_a, mix, currency, per_page):
    expected = selectors.statement(company=company_a, **period(currency=currency))
    summary = selectors.statement_summary(company=company_a, **period(currency=currency))
    assert (summary.opening, summary.total_debit, summary.total_credit, summary.closing) == (
        expected.opening,
        expected.total_debit,
        expected.total_credit,
        expected.closing,
    )
    assert (summary.ageing, summary.ageing_total, summary.unallocated) == (
        expected.ageing,
        expected.ageing_total,
        expected.unallocated,
    )
    assert summary.movement_count == len(expected.movements) > 10
    rows = selectors.StatementMovements(summary)
    paged = [m for start in range(0, len(rows), per_page) for m in rows[start : start + per_page]]
    assert _shown(paged) == _shown(expected.movements)
    assert paged[-1].balance == expected.closing


def test_an_opening_balance_alone_and_an_empty_period(company_a, mix):
    summary = selectors.statement_summary(company=company_a, **period(4, 1))
    assert summary.movement_count == 0 and selectors.StatementMovements(summary)[0:50] == []
    assert summary.closing == summary.opening == selectors.statement(company=company_a, **period(4, 1)).closing


def test_a_page_is_three_queries_whatever_the_period(company_a, mix, django_assert_num_queries):
    summary = selectors.statement_summary(company=company_a, **period())
    with django_assert_num_queries(3):  # the window, that page's documents, its payments
        assert len(selectors.StatementMovements(summary)[10:20]) == 10


def test_the_page_with_many_rows_runs_a_fixed_number_of_queries(client, admin_a, company_a):
    def add(count, offset):
        for i in range(count):
            day = offset + i
            invoice = issued_invoice(company_a, lines=[("100.00", 21)], issue_date=ago(day), due_date=ago(day - 30))
            record_payment(company_a, "50.00", invoices=[invoice], paid_on=ago(day))

    add(3, 10)
    client.force_login(admin_a)
    url = reverse("billing:statement")
    with CaptureQueriesContext(connection) as few:
        client.get(url, query(365, 0))
    add(120, 20)
    for page in (1, 3, 5):
        with CaptureQueriesContext(connection) as many:
            response = client.get(url, {**query(365, 0), "page": page})
        assert len(many) <= len(few), [q["sql"] for q in many.captured_queries]
        assert response.status_code == 200 and len(response.context["page"].object_list) in (50, 46)
    assert response.context["page"].paginator.count == 246
    expected = selectors.statement(company=company_a, **period(365, 0))
    assert _shown(response.context["page"].object_list) == _shown(expected.movements[200:])


def test_a_later_page_carries_the_balance_of_the_one_before(client, admin_a, company_a, mix, monkeypatch):
    monkeypatch.setattr(views, "STATEMENT_PER_PAGE", 5)
    client.force_login(admin_a)
    expected = selectors.statement(company=company_a, **period()).movements
    response = client.get(reverse("billing:statement"), {**query(), "page": 3})
    assert response.context["carried"] == expected[9].balance
    assert _shown(response.context["page"].object_list) == _shown(expected[10:15])


# --- the export: built by a task, reused, kept a week --------------------------------------------------------


@pytest.fixture
def html_pdf(monkeypatch):
    """WeasyPrint stamps the time into each PDF: compare the HTML it is given instead."""
    monkeypatch.setattr(
        statement_exports, "render_pdf", lambda template, context: render_to_string(template, context).encode()
    )


def _ask(client, name, params, capture):
    with capture(execute=True):
        return client.get(reverse(name), params)


def test_the_pdf_request_answers_at_once_and_the_task_builds_what_the_direct_render_makes(
    client, admin_a, company_a, mix, html_pdf, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("billing:statement_pdf"), query())
    assert response.status_code == 202 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Fișa client se pregătește" in page and 'http-equiv="refresh"' in page
    export = StatementExport.objects.get()
    assert (export.status, export.format, export.requested_by, export.company) == ("pending", "pdf", admin_a, company_a)
    assert abs(export.expires_at - export.created_at - timedelta(days=7)) < timedelta(seconds=5)
    assert f"/fisa-client/exporturi/{export.public_id}/" in page
    assert not StoredFile.objects.exists() and len(callbacks) == 1  # nothing rendered in the request
    for callback in callbacks:
        callback()

    export.refresh_from_db()
    assert export.status == "ready" and export.file.content_type == "application/pdf"
    direct = statement_exports.statement_pdf_bytes(company=company_a, **period())
    assert export.file.file.open("rb").read() == direct
    notification = Notification.objects.get(user=admin_a, kind="invoice.statement_ready")
    assert notification.url == reverse("billing:statement_export_download", args=[export.public_id])
    download = client.get(notification.url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment") and ".pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == direct
    ready = client.get(reverse("billing:statement_export", args=[export.public_id]))
    assert ready.status_code == 200 and "http-equiv" not in ready.content.decode()


def test_a_long_csv_is_built_by_the_task_with_the_direct_csv_text(
    client, admin_a, company_a, mix, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    direct = client.get(reverse("billing:statement_csv"), query())
    assert direct.status_code == 200 and direct["Content-Type"] == "text/csv; charset=utf-8"
    monkeypatch.setattr(services, "CSV_DIRECT_ROWS", 10)  # the mix has more: built by the task
    response = _ask(client, "billing:statement_csv", query(), django_capture_on_commit_callbacks)
    assert response.status_code == 202 and "Fișa client se pregătește" in response.content.decode()
    export = StatementExport.objects.get(format="csv")
    assert export.file.file.open("rb").read() == direct.content
    again = client.get(reverse("billing:statement_csv"), query())  # the same request: the kept file
    assert again.status_code == 302 and again["Location"] == reverse(
        "billing:statement_export_download", args=[export.public_id]
    )
    assert b"".join(client.get(again["Location"]).streaming_content) == direct.content


def test_the_task_run_twice_keeps_one_file_and_notifies_once(company_a, admin_a, mix, html_pdf):
    export = services.statement_export_request(company=company_a, user=admin_a, fmt="pdf", **period())
    services.statement_export_build(export_id=export.pk)
    services.statement_export_build(export_id=export.pk)
    assert StoredFile.objects.count() == 1
    assert Notification.objects.filter(kind="invoice.statement_ready").count() == 1


def test_the_same_request_reuses_the_export_until_it_expires(company_a, admin_a, mix, html_pdf):
    ask = lambda **changes: services.statement_export_request(  # noqa: E731
        company=company_a, user=admin_a, **{"fmt": "pdf", **period(), **changes}
    )
    first = ask()
    assert ask().pk == first.pk  # still being built
    services.statement_export_build(export_id=first.pk)
    assert ask().pk == first.pk  # built
    assert ask(fmt="csv").pk != first.pk
    assert ask(currency="EUR").pk != first.pk
    assert ask(date_from=ago(199)).pk != first.pk
    colleague = MembershipFactory(company=company_a, can_see_billing=True).user
    assert services.statement_export_request(company=company_a, user=colleague, fmt="pdf", **period()).pk != first.pk
    StatementExport.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ask().pk != first.pk


def test_after_a_week_the_link_answers_410_and_the_cleanup_deletes_row_and_file(
    client, admin_a, company_a, mix, html_pdf, django_capture_on_commit_callbacks
):
    export = services.statement_export_request(company=company_a, user=admin_a, fmt="pdf", **period())
    export = services.statement_export_build(export_id=export.pk)
    name = export.file.file.name
    assert default_storage.exists(name)
    client.force_login(admin_a)
    StatementExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for route in ("billing:statement_export_download", "billing:statement_export"):
        response = client.get(reverse(route, args=[export.public_id]))
        assert response.status_code == 410 and "Fișierul a expirat" in response.content.decode()
    fresh = services.statement_export_request(company=company_a, user=admin_a, fmt="csv", **period())

    with django_capture_on_commit_callbacks(execute=True):  # the stored object goes after the commit
        assert services.exports_delete_expired() == 1
    assert list(StatementExport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not StoredFile.objects.filter(pk=export.file_id).exists() and not default_storage.exists(name)
    assert client.get(reverse("billing:statement_export_download", args=[export.public_id])).status_code == 404
    assert services.exports_delete_expired() == 0


def test_only_the_company_with_the_billing_right_gets_the_export(
    client, admin_a, member_a, member_b, company_a, mix, html_pdf
):
    export = services.statement_export_request(company=company_a, user=admin_a, fmt="pdf", **period())
    services.statement_export_build(export_id=export.pk)
    for route in ("billing:statement_export_download", "billing:statement_export"):
        url = reverse(route, args=[export.public_id])
        client.force_login(member_b)
        assert client.get(url).status_code == 404
        client.force_login(member_a)  # company A, without the billing right
        assert client.get(url).status_code == 403
        client.force_login(admin_a)
        assert client.get(url).status_code == 200
    client.force_login(member_a)
    assert client.get(reverse("billing:statement_pdf"), query()).status_code == 403
    assert StatementExport.objects.count() == 1


def test_a_failed_build_says_so_and_a_new_request_tries_again(client, admin_a, company_a, mix, monkeypatch):
    def broken(template, context):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(statement_exports, "render_pdf", broken)
    export = services.statement_export_request(company=company_a, user=admin_a, fmt="pdf", **period())
    services.statement_export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == "failed" and "no fonts" in export.error and export.file is None
    client.force_login(admin_a)
    page = client.get(reverse("billing:statement_export_download", args=[export.public_id]))
    assert page.status_code == 200 and "nu a putut fi pregătit" in page.content.decode()
    assert services.statement_export_request(company=company_a, user=admin_a, fmt="pdf", **period()).pk != export.pk


def test_a_bad_period_asks_for_nothing(client, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("billing:statement_pdf"), {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert response.status_code == 302 and not StatementExport.objects.exists()
