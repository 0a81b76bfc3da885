"""The statement of account ("fișă client") as a file: the PDF, and the CSV of a long period, are built by a
task into a ``StatementExport`` kept for a week (a large client's year takes seconds to render: never in the
request); whoever asked is notified with the link. A short CSV is still written in the request.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Company, User
from billing import selectors, tasks
from billing.models import StatementExport
from billing.services.built_exports import export_build, export_request
from files.responses import safe_filename
from portal.exports import csv_writer
from portal.money import cents
from portal.notifications import notify
from portal.pdf import render_pdf

CONTENT_TYPES = {StatementExport.Format.PDF: "application/pdf", StatementExport.Format.CSV: "text/csv; charset=utf-8"}


def statement_file_name(company: Company, date_from: date, date_to: date, currency: str, fmt: str) -> str:
    return safe_filename(f"Fisa client {company.name} {date_from:%Y-%m-%d} {date_to:%Y-%m-%d} {currency}", fmt)


def export_file_name(export: StatementExport) -> str:
    return statement_file_name(export.company, export.date_from, export.date_to, export.currency, export.format)


def csv_amount(value: Decimal) -> Decimal:
    """An amount for the CSV: a number rounded to the cent, which the writer prints as "1234,50" (no thousands
    separator, decimal comma: what Romanian Excel reads as a number). A number, not text, so that a negative
    balance stays a number and is not taken for a formula (portal/exports.py)."""
    return cents(value)


def statement_csv_text(result: selectors.Statement) -> str:
    """The statement for Excel with Romanian regional settings: ``;`` between fields, decimal comma,
    dd.mm.yyyy dates (the CSV is written with a UTF-8 BOM so diacritics survive). Text from the data (the
    company's name, payment references) cannot start a formula: portal.exports neutralises it."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, decimal_comma=True, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Fișă client"), result.company.name, result.company.cui])
    writer.writerow(
        [_("Perioada"), f"{result.date_from:%d.%m.%Y}", f"{result.date_to:%d.%m.%Y}", _("Moneda"), result.currency]
    )
    writer.writerow([])
    writer.writerow([_("Data"), _("Document"), _("Detalii"), _("Scadența"), _("Debit"), _("Credit"), _("Sold")])
    writer.writerow([f"{result.date_from:%d.%m.%Y}", _("Sold inițial"), "", "", "", "", csv_amount(result.opening)])
    for movement in result.movements:
        writer.writerow(
            [
                f"{movement.date:%d.%m.%Y}",
                movement.document,
                movement.detail,
                f"{movement.due_date:%d.%m.%Y}" if movement.due_date else "",
                csv_amount(movement.debit) if movement.kind != "payment" else "",
                csv_amount(movement.credit) if movement.kind == "payment" else "",
                csv_amount(movement.balance),
            ]
        )
    writer.writerow(["", _("Total rulaj"), "", "", csv_amount(result.total_debit), csv_amount(result.total_credit), ""])
    writer.writerow([f"{result.date_to:%d.%m.%Y}", _("Sold final"), "", "", "", "", csv_amount(result.closing)])
    writer.writerow([])
    writer.writerow([_("Vechimea soldului la %(date)s") % {"date": f"{result.date_to:%d.%m.%Y}"}, _("Suma")])
    for _key, label, amount in result.ageing:
        writer.writerow([label, csv_amount(amount)])
    writer.writerow([_("Total facturi neachitate"), csv_amount(result.ageing_total)])
    writer.writerow([_("Plăți nealocate (avans)"), csv_amount(result.unallocated)])
    return buffer.getvalue()


def statement_csv_bytes(*, company: Company, date_from: date, date_to: date, currency: str) -> bytes:
    """The CSV file, Romanian whatever the page language (like the invoices it lists)."""
    with translation.override("ro"):
        result = selectors.statement(company=company, date_from=date_from, date_to=date_to, currency=currency)
        return statement_csv_text(result).encode("utf-8-sig")


def statement_pdf_bytes(*, company: Company, date_from: date, date_to: date, currency: str) -> bytes:
    with translation.override("ro"):
        result = selectors.statement(company=company, date_from=date_from, date_to=date_to, currency=currency)
        return render_pdf("pdf/billing_statement.html", selectors.statement_pdf_context(result))


BUILDERS = {StatementExport.Format.PDF: statement_pdf_bytes, StatementExport.Format.CSV: statement_csv_bytes}


def statement_export_request(
    *, company: Company, user: User, date_from: date, date_to: date, currency: str, fmt: str
) -> StatementExport:
    """The export of this period, currency and format the user asked for and that has not expired (being
    built or ready), else a new one, built by a task after commit."""
    same = {"date_from": date_from, "date_to": date_to, "currency": currency, "format": fmt}
    return export_request(
        StatementExport,
        company=company,
        user=user,
        same=same,
        task=tasks.build_statement_export,
        action="billing.statement_requested",
    )


def _build(export: StatementExport) -> bytes:
    build = BUILDERS[export.format]
    return build(company=export.company, date_from=export.date_from, date_to=export.date_to, currency=export.currency)


def statement_export_build(*, export_id: int) -> StatementExport | None:
    return export_build(
        StatementExport,
        export_id,
        build=_build,
        name=export_file_name,
        content_type=lambda export: CONTENT_TYPES[export.format],
        notify=_notify_ready,
    )


def _notify_ready(export: StatementExport) -> None:
    user = export.requested_by
    if user is None:
        return
    notify(
        user=user,
        company=export.company,
        kind="invoice.statement_ready",
        message="invoice.statement_ready",
        params={
            "start": export.date_from.isoformat(),
            "end": export.date_to.isoformat(),
            "currency": export.currency,
            "format": export.get_format_display(),
        },
        url=reverse("billing:statement_export_download", args=[export.public_id]),
        key=f"statement-export:{export.pk}",
    )
