"""The invoice and payment lists as the client's spreadsheet, built by a task into a ``ListExport`` kept for a
week: every XLSX (an XLSX is a ZIP, never built in a request) and a CSV longer than ``CSV_DIRECT_ROWS``.
Whoever asked is notified with the link. The tables themselves are ``billing.exports``'.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Company, User
from billing import exports, selectors, tasks
from billing.models import ListExport
from billing.services.built_exports import export_build, export_request
from files.responses import safe_filename
from portal.notifications import notify

WRITERS = {
    ListExport.Format.XLSX: (exports.xlsx_bytes, exports.XLSX_CONTENT_TYPE),
    ListExport.Format.CSV: (exports.csv_bytes, exports.CSV_CONTENT_TYPE),
}
DATE_FILTERS = ("date_from", "date_to")


def stored_filters(filters: dict) -> dict:
    """The invoice list's filters (``InvoiceFilterForm.filters()``) as JSON, empty ones left out."""
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in filters.items() if value}


def _invoice_filters(filters: dict) -> dict:
    """The filters as ``selectors.invoice_list`` takes them, from the form or from an export's JSON."""
    return {
        key: date.fromisoformat(value) if key in DATE_FILTERS and isinstance(value, str) else value
        for key, value in filters.items()
    }


def list_table(*, company: Company, kind: str, filters: dict) -> exports.Table:
    """The list as it was filtered, every row of it (not one page), in Romanian whatever the page language,
    like the invoices it lists. Raises ``exports.TooManyRows`` above ``exports.MAX_ROWS``."""
    with translation.override("ro"):
        if kind == ListExport.Kind.INVOICES:
            invoices = selectors.invoice_list(company=company, **_invoice_filters(filters))
            return exports.invoice_table(selectors.invoice_export_rows(invoices, limit=exports.MAX_ROWS))
        payments = selectors.payment_list(company=company)
        rows, allocations = selectors.payment_export_rows(company=company, payments=payments, limit=exports.MAX_ROWS)
        return exports.payment_table(rows, allocations)


def list_file_name(*, company: Company, title: str, fmt: str, day: date | None = None) -> str:
    return safe_filename(f"{title} {company.name} {(day or timezone.localdate()):%Y-%m-%d}", fmt)


def list_export_file_name(export: ListExport) -> str:
    with translation.override("ro"):
        title = str(ListExport.Kind(export.kind).label).capitalize()
    return list_file_name(company=export.company, title=title, fmt=export.format, day=export.created_at.date())


def list_export_request(*, company: Company, user: User, kind: str, fmt: str, filters: dict) -> ListExport:
    """The same list, filters and format asked for by this user and not expired, else a new export."""
    same = {"kind": kind, "format": fmt, "filters": stored_filters(filters)}
    return export_request(
        ListExport,
        company=company,
        user=user,
        same=same,
        task=tasks.build_list_export,
        action=f"{kind}.list_export_requested",
    )


def _build(export: ListExport) -> bytes:
    write, _content_type = WRITERS[export.format]
    return write(list_table(company=export.company, kind=export.kind, filters=export.filters))


def list_export_build(*, export_id: int) -> ListExport | None:
    return export_build(
        ListExport,
        export_id,
        build=_build,
        name=list_export_file_name,
        content_type=lambda export: WRITERS[export.format][1],
        notify=_notify_ready,
    )


def _notify_ready(export: ListExport) -> None:
    if export.requested_by is None:
        return
    notify(
        user=export.requested_by,
        company=export.company,
        kind=f"{export.kind}.list_export_ready",
        message=f"{export.kind}.list_export_ready",
        params={"format": export.get_format_display()},
        url=reverse("billing:list_export_download", args=[export.public_id]),
        key=f"list-export:{export.pk}",
    )
