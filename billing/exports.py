"""The invoice and payment lists as the client's spreadsheet: CSV for Excel with Romanian regional settings
(like the statement of account's: ``;``, decimal comma, dd.mm.yyyy, UTF-8 with a BOM) and XLSX.

A table is built once (headers, then rows of text, dates and ``Decimal`` amounts) and written in either
format. Neither can smuggle a formula into the client's Excel: the CSV goes through ``portal.exports``
(an apostrophe in front of a text that would start one); in the XLSX such a text is a text cell with
Excel's "quote prefix", so it shows as written and stays text when edited. Amounts and dates stay
numbers and dates in both, negative amounts included.

Documents are Romanian whatever the page language, like the invoices they list (the views render them
under ``translation.override("ro")``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from billing.models import Invoice, Payment
from portal.exports import FORMULA_TRIGGERS, csv_writer
from portal.money import cents, format_amount

# Above this, the client is asked to narrow the filter: the file is built in the request.
MAX_ROWS = 10_000

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD.MM.YYYY"
AMOUNT_FORMAT = "#,##0.00"  # Excel shows it with the reader's separators: 1.234,56 in Romanian


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]
    widths: list[int]


class TooManyRows(Exception):
    pass


def _limited(rows: list) -> list:
    if len(rows) > MAX_ROWS:
        raise TooManyRows
    return rows


# --- what the two lists export --------------------------------------------------------------------


def _display_status(kind: str, status: str, due_date: date, today: date) -> str:
    is_open = kind == Invoice.Kind.INVOICE and status in Invoice.OPEN
    shown = Invoice.DisplayStatus.OVERDUE if is_open and due_date < today else status
    return str(Invoice.DisplayStatus(shown).label)


def invoice_table(rows: list[tuple]) -> Table:
    """Rows from ``selectors.invoice_export_rows``."""
    today = timezone.localdate()
    kinds = dict(Invoice.Kind.choices)
    table = []
    for (
        series,
        number,
        kind,
        issue_date,
        due_date,
        original_series,
        original_number,
        project,
        currency,
        *amounts,
        status,
    ) in _limited(rows):
        is_credit_note = kind == Invoice.Kind.CREDIT_NOTE
        original = Invoice.format_label(original_series, original_number) if original_series is not None else ""
        table.append(
            [
                series,
                number,
                str(kinds.get(kind, kind)),
                issue_date,
                None if is_credit_note else due_date,
                original,
                project or "",
                currency,
                *(cents(amount) for amount in amounts),
                _display_status(kind, status, due_date, today),
            ]
        )
    return Table(
        title=_("Facturi"),
        headers=[
            _("Serie"),
            _("Număr"),
            _("Tip"),
            _("Data emiterii"),
            _("Scadența"),
            _("Stornează factura"),
            _("Proiect"),
            _("Moneda"),
            _("Total fără TVA"),
            _("TVA"),
            _("Total"),
            _("Achitat"),
            _("Rest de plată"),
            _("Stare"),
        ],
        rows=table,
        widths=[8, 10, 16, 13, 13, 16, 12, 8, 15, 13, 15, 15, 15, 16],
    )


def payment_table(rows: list[tuple], allocations: dict[int, list[tuple[str, Decimal]]]) -> Table:
    """Rows and allocations from ``selectors.payment_export_rows``."""
    methods = dict(Payment.Method.choices)
    table = []
    for pk, paid_on, reference, method, amount, currency, allocated, notes in _limited(rows):
        paid = "; ".join(f"{label} ({format_amount(part)})" for label, part in allocations.get(pk, []))
        table.append(
            [
                paid_on,
                reference,
                str(methods.get(method, method)),
                cents(amount),
                currency,
                cents(allocated),
                cents(amount - allocated),
                paid,
                notes,
            ]
        )
    return Table(
        title=_("Plăți"),
        headers=[
            _("Data plății"),
            _("Referință"),
            _("Modalitate"),
            _("Sumă"),
            _("Moneda"),
            _("Alocat pe facturi"),
            _("Nealocat"),
            _("Facturi achitate"),
            _("Observații"),
        ],
        rows=table,
        widths=[13, 24, 16, 15, 8, 15, 15, 40, 30],
    )


# --- the two formats ------------------------------------------------------------------------------


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer, decimal_comma=True, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([f"{cell:%d.%m.%Y}" if isinstance(cell, date) else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, value):
    """The value as openpyxl should write it: a plain value where nothing needs saying (openpyxl's cheapest
    path), else a cell with its number format, or a text that must stay text."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
        if not value.startswith(FORMULA_TRIGGERS):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would have written "=…" as a formula
        cell.quotePrefix = True
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = AMOUNT_FORMAT
        return cell
    return value


def xlsx_bytes(table: Table) -> bytes:
    """One sheet, written as it goes (openpyxl's write-only mode: 10,000 rows in a few MB of memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title in table.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
