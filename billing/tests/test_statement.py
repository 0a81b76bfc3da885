"""The statement of account: balances reconcile, ageing buckets, and the page, PDF and CSV agree."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing import selectors, views
from billing.services import statement_exports
from billing.tests.factories import credit_note, issued_invoice, record_payment

D = Decimal


def today():
    return timezone.localdate()


def ago(days):
    return today() - timedelta(days=days)


@pytest.fixture
def history(company_a, company_b):
    """A year of documents around a period [ago(200), ago(10)]."""
    old = issued_invoice(company_a, lines=[("1000.00", 21)], issue_date=ago(300), due_date=ago(270))
    record_payment(company_a, "1000.00", invoices=[old], paid_on=ago(250))  # 210 left before the period
    a = issued_invoice(company_a, lines=[("3", "333.33", 21)], issue_date=ago(150), due_date=ago(120))
    b = issued_invoice(company_a, lines=[("2", "0.35", 11), ("1", "500.00", 21)], issue_date=ago(100), due_date=ago(70))
    c = issued_invoice(company_a, lines=[("1", "800.00", 21)], issue_date=ago(60), due_date=ago(40))
    d = issued_invoice(company_a, lines=[("1", "400.00", 21)], issue_date=ago(30), due_date=ago(5))
    e = issued_invoice(company_a, lines=[("1", "250.00", 21)], issue_date=ago(20), due_date=ago(-10))
    credit_note(c, lines=[("-1", "100.00", 21)], issue_date=ago(55))
    record_payment(company_a, "1209.99", invoices=[a], paid_on=ago(110))
    record_payment(company_a, "300.00", invoices=[b], paid_on=ago(60))
    record_payment(company_a, "150.00", paid_on=ago(12))  # an advance, not allocated
    issued_invoice(company_a, lines=[("999.00", 21)], issue_date=ago(5), due_date=ago(-25))  # after the period
    record_payment(company_a, "77.00", paid_on=ago(3))  # after the period
    issued_invoice(company_a, lines=[("100.00", 21)], currency="EUR", issue_date=ago(50), due_date=ago(20))
    issued_invoice(company_b, lines=[("5000.00", 21)], issue_date=ago(50), due_date=ago(20))
    return {"old": old, "a": a, "b": b, "c": c, "d": d, "e": e}


def test_opening_plus_invoices_minus_payments_is_closing(company_a, history):
    result = selectors.statement(company=company_a, date_from=ago(200), date_to=ago(10))
    assert result.opening == D("210.00")
    invoiced = D("1209.99") + D("605.78") + D("968.00") - D("121.00") + D("484.00") + D("302.50")
    assert result.total_debit == invoiced
    assert result.total_credit == D("1209.99") + D("300.00") + D("150.00")
    assert result.closing == result.opening + result.total_debit - result.total_credit == D("1999.28")
    assert result.reconciles
    assert result.movements[-1].balance == result.closing
    kinds = [m.kind for m in result.movements]
    assert kinds.count("invoice") == 5 and kinds.count("credit_note") == 1 and kinds.count("payment") == 3


def test_ageing_buckets_at_the_end_of_the_period(company_a, history):
    result = selectors.statement(company=company_a, date_from=ago(200), date_to=ago(10))
    buckets = {key: amount for key, _label, amount in result.ageing}
    # As of ago(10): d and e not due yet; c 30 days late, b 60, old 260.
    assert buckets == {
        "current": D("484.00") + D("302.50"),
        "d1_30": D("847.00"),
        "d31_60": D("305.78"),
        "d61_90": D("0.00"),
        "d90": D("210.00"),
    }
    assert result.ageing_total == sum(buckets.values())
    # What the invoices owe, less the advance nobody allocated yet, is the closing balance.
    assert result.unallocated == D("150.00")
    assert result.ageing_total - result.unallocated == result.closing


@pytest.mark.parametrize(
    ("due_days_ago", "bucket"),
    [
        (-3, "current"),
        (0, "current"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90"),
        (400, "d90"),
    ],
)
def test_bucket_edges(company_a, due_days_ago, bucket):
    issued_invoice(
        company_a, lines=[("100.00", 0)], issue_date=ago(max(due_days_ago, 0) + 1), due_date=ago(due_days_ago)
    )
    result = selectors.statement(company=company_a, date_from=ago(500), date_to=today())
    buckets = {key: amount for key, _label, amount in result.ageing}
    assert buckets.pop(bucket) == D("100.00")
    assert set(buckets.values()) == {D("0.00")}


def test_payments_after_the_period_do_not_age_it(company_a):
    invoice = issued_invoice(company_a, lines=[("100.00", 0)], issue_date=ago(60), due_date=ago(45))
    record_payment(company_a, "100.00", invoices=[invoice], paid_on=ago(5))
    then = selectors.statement(company=company_a, date_from=ago(90), date_to=ago(10))
    now = selectors.statement(company=company_a, date_from=ago(90), date_to=today())
    assert {k: v for k, _l, v in then.ageing}["d31_60"] == D("100.00") and then.closing == D("100.00")
    assert now.ageing_total == 0 and now.closing == 0


def test_statement_is_per_currency(company_a, history):
    eur = selectors.statement(company=company_a, date_from=ago(200), date_to=ago(10), currency="EUR")
    assert eur.total_debit == D("121.00") and eur.total_credit == 0 and eur.closing == D("121.00")


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 and keeps the diacritics
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _ro(value: str) -> Decimal:
    return D(value.replace(",", "."))


def test_page_pdf_and_csv_agree_to_the_ban(
    client, admin_a, company_a, history, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    params = {"date_from": ago(200).isoformat(), "date_to": ago(10).isoformat(), "currency": "RON"}
    page = client.get(reverse("billing:statement"), params)
    on_page = page.context["statement"]

    captured = {}

    def fake_render(template, context):
        captured.update(context)
        return b"%PDF-1.4 test"

    monkeypatch.setattr(statement_exports, "render_pdf", fake_render)
    with django_capture_on_commit_callbacks(execute=True):  # the task builds the PDF after the request
        client.get(reverse("billing:statement_pdf"), params)
    pdf = client.get(reverse("billing:statement_pdf"), params, follow=True)  # the same request: the file
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    in_pdf = captured["statement"]

    rows = _csv_rows(client.get(reverse("billing:statement_csv"), params).content)
    by_label = {row[1]: row for row in rows if len(row) > 1}
    in_csv = {
        "opening": _ro(by_label["Sold inițial"][6]),
        "debit": _ro(by_label["Total rulaj"][4]),
        "credit": _ro(by_label["Total rulaj"][5]),
        "closing": _ro(by_label["Sold final"][6]),
    }
    ageing_csv = {row[0]: _ro(row[1]) for row in rows if len(row) == 2 and row[1][:1].isdigit()}

    for source in (on_page, in_pdf):
        assert (source.opening, source.total_debit, source.total_credit, source.closing) == (
            in_csv["opening"],
            in_csv["debit"],
            in_csv["credit"],
            in_csv["closing"],
        )
        assert [amount for _k, _l, amount in source.ageing] == list(ageing_csv.values())[:5]
    html = page.content.decode()
    assert f'data-total="closing">{_fmt(on_page.closing)}' in html
    assert f'data-total="debit">{_fmt(on_page.total_debit)}' in html
    # The CSV's movements add up to its own totals.
    movements = [
        row for row in rows if len(row) == 7 and row[0][:2].isdigit() and row[1] not in ("Sold inițial", "Sold final")
    ]
    assert sum(_ro(r[4]) for r in movements if r[4]) == in_csv["debit"]
    assert sum(_ro(r[5]) for r in movements if r[5]) == in_csv["credit"]
    assert _ro(movements[-1][6]) == in_csv["closing"]


def _fmt(value: Decimal) -> str:
    """Romanian display: 2.019,35."""
    whole, cents = f"{value:.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{'.'.join(groups)},{cents}"


def test_csv_uses_semicolons_decimal_commas_and_romanian_dates(client, admin_a, company_a):
    issued_invoice(company_a, lines=[("1234.56", 0)], issue_date=date(2026, 3, 2), due_date=date(2026, 4, 1))
    client.force_login(admin_a)
    response = client.get(reverse("billing:statement_csv"), {"date_from": "2026-01-01", "date_to": "2026-06-30"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    text = response.content.decode("utf-8-sig")
    assert "02.03.2026;Factură TST" in text and ";1234,56;" in text and "\r\n" in text
    assert "1234.56" not in text


def test_csv_text_from_the_data_cannot_start_a_formula(client, admin_a, company_a):
    """A payment reference or a company name that a spreadsheet would read as a formula reaches the CSV as text;
    amounts, a negative balance included, stay numbers."""
    company_a.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    company_a.save(update_fields=["name"])
    record_payment(company_a, "150.00", paid_on=date(2025, 12, 20))  # an advance: the period opens at -150,00
    record_payment(company_a, "25.00", paid_on=date(2026, 2, 3), reference='=HYPERLINK("http://x","y")')
    issued_invoice(company_a, lines=[("100.00", 0)], issue_date=date(2026, 3, 2), due_date=date(2026, 4, 1))
    client.force_login(admin_a)
    response = client.get(reverse("billing:statement_csv"), {"date_from": "2026-01-01", "date_to": "2026-06-30"})
    rows = _csv_rows(response.content)

    assert rows[0][1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    payment = next(row for row in rows if len(row) == 7 and row[0] == "03.02.2026")
    assert payment[2] == '\'=HYPERLINK("http://x","y")'
    assert payment[5] == "25,00" and payment[6] == "-175,00"
    opening = next(row for row in rows if len(row) > 1 and row[1] == "Sold inițial")
    assert opening[6] == "-150,00"
    assert not [cell for row in rows for cell in row if cell and cell[0] in "=+@\t\r"]


def test_statement_pdf_renders_with_diacritics(client, admin_a, company_a, django_capture_on_commit_callbacks):
    issued_invoice(company_a, lines=[("100.00", 21)])
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(reverse("billing:statement_pdf")).status_code == 202
    response = client.get(reverse("billing:statement_pdf"), follow=True)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_bad_period_says_so(client, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("billing:statement"), {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert response.status_code == 400 and "înaintea începutului" in response.content.decode()
    assert client.get(reverse("billing:statement_csv"), {"date_from": "x"}).status_code == 302


def test_statement_runs_a_fixed_number_of_queries(client, admin_a, company_a, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for i in range(n):
            invoice = issued_invoice(company_a, lines=[("100.00", 21)], issue_date=ago(100 - i), due_date=ago(70 - i))
            record_payment(company_a, "50.00", invoices=[invoice], paid_on=ago(60 - i))

    add(2)
    client.force_login(admin_a)
    url = reverse("billing:statement")
    params = {"date_from": ago(365).isoformat(), "date_to": today().isoformat()}
    with CaptureQueriesContext(connection) as few:
        client.get(url, params)
    ceiling = len(few)
    add(40)
    with django_assert_max_num_queries(ceiling):
        response = client.get(url, params)
    assert response.context["page"].paginator.count == 84


def test_a_long_statement_is_paged_and_each_page_carries_the_balance(client, admin_a, company_a, monkeypatch):
    monkeypatch.setattr(views, "STATEMENT_PER_PAGE", 4)
    for i in range(5):
        issued_invoice(company_a, lines=[("100.00", 0)], issue_date=ago(50 - i), due_date=ago(20 - i))
    record_payment(company_a, "70.00", paid_on=ago(40))
    client.force_login(admin_a)
    params = {"date_from": ago(365).isoformat(), "date_to": today().isoformat(), "currency": "RON"}
    first = client.get(reverse("billing:statement"), params)
    second = client.get(reverse("billing:statement"), {**params, "page": 2})
    first_page, second_page = first.content.decode(), second.content.decode()
    movements = selectors.statement(company=company_a, date_from=ago(365), date_to=today()).movements
    assert len(movements) == 6 and first.context["page"].paginator.num_pages == 2
    assert "Sold inițial" in first_page and "Sold reportat" not in first_page
    # The second page opens with the balance after the fourth movement, and lists the last two.
    assert second.context["carried"] == movements[3].balance == D("400.00")
    assert "Sold reportat" in second_page and _fmt(D("400.00")) in second_page
    assert list(second.context["page"]) == movements[4:]
    # The period's totals and the closing balance stay on every page, and the export links keep the period.
    for page in (first_page, second_page):
        assert _fmt(D("430.00")) in page and "page=" not in page.split("statement_csv")[0][-300:]


@pytest.mark.parametrize("days_back", [0, 3, 10, 55, 60, 100, 111, 250, 300, 400])
def test_ageing_on_any_day_is_what_each_invoice_owed_that_day(company_a, history, days_back):
    """The ageing starts from today's balances and adds back what was credited or paid after the day;
    checked against owed = total + credit notes − payments up to that day, invoice by invoice."""
    from billing.models import Invoice, PaymentAllocation

    as_of = ago(days_back)
    expected = {key: D("0.00") for key, *_rest in selectors.AGEING_BUCKETS}
    for invoice in Invoice.objects.filter(
        company=company_a, currency="RON", kind=Invoice.Kind.INVOICE, issue_date__lte=as_of
    ).exclude(status=Invoice.Status.DRAFT):
        credited = sum(
            (
                note.total_gross
                for note in invoice.credit_notes.exclude(status=Invoice.Status.DRAFT)
                if note.issue_date <= as_of
            ),
            D("0.00"),
        )
        paid = sum(
            (
                allocation.amount
                for allocation in PaymentAllocation.objects.filter(invoice=invoice)
                if allocation.payment.date <= as_of
            ),
            D("0.00"),
        )
        owed = invoice.total_gross + credited - paid
        if owed > 0:
            expected[selectors._bucket(invoice.due_date, as_of)] += owed
    invoices = Invoice.objects.for_company(company_a).visible().filter(currency="RON")
    rows, total = selectors._ageing(invoices, as_of)
    assert {key: amount for key, _label, amount in rows} == expected
    assert total == sum(expected.values())


def test_the_page_is_served_from_the_cache_until_an_invoice_or_payment_changes(client, admin_a, company_a):
    """Summary and pages are cached under the company's data stamp, which the database moves with every
    invoice and payment (dashboard/stamps.py): a new payment shows at once, even recorded behind the ORM's
    back."""
    from billing.models import Payment

    issued_invoice(company_a, lines=[("1000.00", 21)], issue_date=date(2026, 2, 1))
    client.force_login(admin_a)
    params = {"date_from": "2026-01-01", "date_to": "2026-06-30"}
    assert "1.210,00" in client.get(reverse("billing:statement"), params).content.decode()
    payment = record_payment(company_a, "210.00", paid_on=date(2026, 3, 1))
    page = client.get(reverse("billing:statement"), params).content.decode()
    assert "1.000,00" in page  # the closing balance after the payment
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("110.00"))
    assert "1.100,00" in client.get(reverse("billing:statement"), params).content.decode()
