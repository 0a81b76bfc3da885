"""The invoice and payment lists as CSV (Romanian Excel) and XLSX: what they hold, the page's filter,
formulas neutralised, the billing right, the company's own rows only, the row cap and a fixed number
of queries."""

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from billing import exports
from billing.models import ListExport
from billing.tests.factories import credit_note, issued_invoice, record_payment
from portal.models import AuditEntry

D = Decimal
HOSTILE = '=HYPERLINK("http://rau.example/plata","Plătiți aici")'


def today():
    return timezone.localdate()


@pytest.fixture
def lists_a(company_a, company_b):
    late = issued_invoice(
        company_a,
        series="A",
        number=1,
        lines=[("1000.00", 21)],
        issue_date=today() - timedelta(days=40),
        due_date=today() - timedelta(days=10),
    )
    paid = issued_invoice(
        company_a,
        series="A",
        number=2,
        lines=[("200.00", 21)],
        issue_date=today() - timedelta(days=90),
        due_date=today() - timedelta(days=60),
    )
    record_payment(company_a, "242.00", invoices=[paid], reference=HOSTILE, paid_on=today() - timedelta(days=61))
    record_payment(company_a, "100.00", invoices=[late], reference="-OP 7", paid_on=today() - timedelta(days=3))
    note = credit_note(late, lines=[("-1", "100.00", 21)])
    other = issued_invoice(company_b, series="B", number=99)
    record_payment(company_b, "10.00", invoices=[other], reference="OP ALTUL")
    return {"late": late, "paid": paid, "note": note}


def _csv(response) -> list[list[str]]:
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the diacritics as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _xlsx(response):
    return load_workbook(io.BytesIO(_body(response))).active


def _get(client, name, fmt, params=None):
    return client.get(reverse(f"{name}_{fmt}"), params or {})


@pytest.fixture
def download(client, django_capture_on_commit_callbacks):
    """The list's file as the client gets it: a short CSV at once; an XLSX (or a long CSV) asked for, built
    by the task, then downloaded from the export's link."""

    def get(name, fmt, params=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = _get(client, name, fmt, params)
        if response.status_code == 302 and "/exporturi/" in response["Location"]:
            return client.get(response["Location"])  # the same file, still right: asked for before
        if response.status_code != 202:
            return response
        export = ListExport.objects.order_by("-id").first()
        return client.get(reverse("billing:list_export_download", args=[export.public_id]))

    return get


def test_the_invoice_csv_is_for_romanian_excel(client, download, admin_a, lists_a):
    client.force_login(admin_a)
    response = download("billing:invoice_export", "csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"].startswith('attachment; filename="Facturi-')
        and ".csv" in response["Content-Disposition"]
    )
    rows = _csv(response)
    assert rows[0][:5] == ["Serie", "Număr", "Tip", "Data emiterii", "Scadența"]
    by_label = {f"{row[0]} {row[1]}": row for row in rows[1:]}
    assert set(by_label) == {"A 1", "A 2", f"A {lists_a['note'].number}"}
    late = by_label["A 1"]
    assert (
        late[3] == f"{today() - timedelta(days=40):%d.%m.%Y}" and late[4] == f"{today() - timedelta(days=10):%d.%m.%Y}"
    )
    # total 1.210,00; credited 121,00; paid 100,00; left 989,00 (decimal comma, no thousands separator)
    assert late[8:14] == ["1000,00", "210,00", "1210,00", "100,00", "989,00", "restantă"]
    storno = by_label[f"A {lists_a['note'].number}"]
    assert storno[2] == "factură storno" and storno[4] == "" and storno[5] == "A 1" and storno[10] == "-121,00"
    assert AuditEntry.objects.filter(action="invoice.list_exported", data__format="csv").exists()


def test_the_invoice_xlsx_keeps_dates_and_amounts_as_numbers(client, download, admin_a, lists_a):
    client.force_login(admin_a)
    response = download("billing:invoice_export", "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheet = _xlsx(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Serie" and sheet.title == "Facturi"
    late = next(row for row in rows[1:] if row[:2] == ("A", 1))
    assert late[3].date() == today() - timedelta(days=40)
    assert late[10] == 1210 and late[12] == 989 and late[13] == "restantă"
    cell = sheet.cell(row=2, column=4)
    assert cell.number_format == exports.DATE_FORMAT


def test_exports_follow_the_lists_filter_and_every_page(client, download, admin_a, company_a, lists_a):
    for _ in range(30):  # more than one page of the list (25)
        issued_invoice(company_a, due_date=today() - timedelta(days=5))
    client.force_login(admin_a)
    rows = _csv(download("billing:invoice_export", "csv", {"status": "restanta", "page": "2"}))
    assert len(rows) == 1 + 31 and all(row[13] == "restantă" for row in rows[1:])
    period = {
        "date_from": (today() - timedelta(days=100)).isoformat(),
        "date_to": (today() - timedelta(days=50)).isoformat(),
    }
    sheet = _xlsx(download("billing:invoice_export", "xlsx", period))
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [("A", 2)]
    sorted_rows = _csv(download("billing:invoice_export", "csv", {"status": "platita", "sort": "due"}))
    assert [row[:2] for row in sorted_rows[1:]] == [["A", "2"]]


def test_the_payment_exports_list_the_invoices_each_payment_paid(client, download, admin_a, lists_a):
    client.force_login(admin_a)
    rows = _csv(download("billing:payment_export", "csv"))
    assert rows[0] == [
        "Data plății",
        "Referință",
        "Modalitate",
        "Sumă",
        "Moneda",
        "Alocat pe facturi",
        "Nealocat",
        "Facturi achitate",
        "Observații",
    ]
    assert [row[1] for row in rows[1:]] == ["'-OP 7", "'" + HOSTILE]  # newest first, like the page
    assert rows[1][0] == f"{today() - timedelta(days=3):%d.%m.%Y}" and rows[1][3] == "100,00"
    assert rows[1][7] == "A 1 (100,00)" and rows[2][7] == "A 2 (242,00)"
    sheet = _xlsx(download("billing:payment_export", "xlsx"))
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values[0][3] == 100 and values[0][6] == 0 and values[1][7] == "A 2 (242,00)"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_formula_reaches_the_spreadsheet(client, download, admin_a, company_a, lists_a, fmt):
    record_payment(company_a, "5.00", reference="@SUM(1+1)")
    record_payment(company_a, "6.00", reference="+40 721 000 000")
    client.force_login(admin_a)
    response = download("billing:payment_export", fmt)
    if fmt == "csv":
        references = [row[1] for row in _csv(response)[1:]]
        assert {"'" + HOSTILE, "'@SUM(1+1)", "'+40 721 000 000", "'-OP 7"} <= set(references)
        return
    content = _body(response)
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula element anywhere
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2) for cell in row}
    for text in (HOSTILE, "@SUM(1+1)", "+40 721 000 000", "-OP 7"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text  # text as written, shown as text


def test_every_formula_trigger_is_text_in_both_formats():
    """What a payment reference cannot carry (the services strip it) but a text cell might: tab and CR too."""
    texts = ["=1+1", "+1", "-1", "@A1", "\tTAB", "\rCR", "fără formulă"]
    table = exports.Table(
        title="Test", headers=["Text", "Sumă"], rows=[[text, D("-5.00")] for text in texts], widths=[]
    )
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(table).decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in texts[:-1]] + ["fără formulă"]
    assert {row[1] for row in rows[1:]} == {"-5,00"}  # a negative amount stays a number
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(table))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == [text.replace("\r", "\n") for text in texts]  # XML reads CR as LF
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells[:-1]) and not cells[-1].quotePrefix
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == {-5}


@pytest.mark.parametrize("name", ["billing:invoice_export", "billing:payment_export"])
def test_a_member_without_the_billing_right_gets_403(client, download, member_a, lists_a, name):
    client.force_login(member_a)
    assert download(name, "csv").status_code == 403
    assert download(name, "xlsx").status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_another_companys_rows_are_never_exported(client, download, member_b, lists_a, fmt):
    client.force_login(member_b)
    invoices = _rows(download("billing:invoice_export", fmt), fmt)
    payments = _rows(download("billing:payment_export", fmt), fmt)
    assert [(str(row[0]), str(row[1])) for row in invoices] == [("B", "99")]
    assert [row[1] for row in payments] == ["OP ALTUL"]


def _rows(response, fmt: str) -> list:
    if fmt == "csv":
        return _csv(response)[1:]
    return list(_xlsx(response).iter_rows(min_row=2, values_only=True))


def test_an_unknown_format_is_404(client, admin_a, lists_a):
    client.force_login(admin_a)
    assert client.get(reverse("billing:invoice_list") + "export.pdf").status_code == 404


def test_too_many_rows_send_the_client_back_with_why(client, download, admin_a, lists_a, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 2)
    client.force_login(admin_a)
    response = download("billing:invoice_export", "xlsx", {"status": "", "page": "3"})
    assert response.status_code == 302 and response["Location"] == reverse("billing:invoice_list") + "?status="
    page = client.get(response["Location"]).content.decode()
    assert "Exportul ar avea peste 2 de rânduri" in page
    assert download("billing:payment_export", "csv").status_code == 200  # two payments: at the cap
    record_payment(lists_a["late"].company, "1.00")
    response = download("billing:payment_export", "csv")
    assert response.status_code == 302 and response["Location"] == reverse("billing:payment_list")
    assert not AuditEntry.objects.filter(action="payment.list_exported", data__rows=3).exists()


def test_the_list_pages_offer_both_exports_with_their_filter(client, admin_a, lists_a):
    client.force_login(admin_a)
    page = client.get(reverse("billing:invoice_list"), {"status": "restanta"}).content.decode()
    assert f'href="{reverse("billing:invoice_export_csv")}?status=restanta"' in page
    assert f'href="{reverse("billing:invoice_export_xlsx")}?status=restanta"' in page
    page = client.get(reverse("billing:payment_list")).content.decode()
    assert "Export CSV" in page and reverse("billing:payment_export_xlsx") in page


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("billing:invoice_export", "csv"),
        ("billing:invoice_export", "xlsx"),
        ("billing:payment_export", "csv"),
        ("billing:payment_export", "xlsx"),
    ],
)
def test_an_export_runs_a_fixed_number_of_queries(
    client, download, admin_a, company_a, lists_a, name, fmt, django_assert_max_num_queries
):
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as few:
        assert download(name, fmt).status_code == 200
    ceiling = len(few)
    for _ in range(40):
        invoice = issued_invoice(company_a, lines=[("10.00", 0)])
        credit_note(invoice, lines=[("-1", "1.00", 0)])
        record_payment(company_a, "4.00", invoices=[invoice, lists_a["late"]])
    with django_assert_max_num_queries(ceiling):
        response = download(name, fmt)
    assert response.status_code == 200 and len(_body(response)) > 2000
