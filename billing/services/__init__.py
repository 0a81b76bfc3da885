"""Writes for billing, one module per job (each says what it owns):

- ``invoices``  — an invoice's header, stored totals and status, issuing, the PDF, the new-invoice notice
- ``payments``  — payments received and their allocations to invoices
- ``notices``   — payments announced by clients: create, confirm, reject, and who is told
- ``reminders`` — overdue reminder stages and their emails
- ``archives``  — a ZIP of invoices' PDFs and XMLs for the client's accountant, built by a task
- ``built_exports`` — what every file built by a task for a client shares: one per request, a week, deleted
- ``statement_exports`` — the statement of account as a PDF or a long CSV
- ``list_exports`` — the invoice and payment lists as XLSX, or as a long CSV
- ``efactura``  — the parties frozen at issue, the portal's e-Factura XML, the ERP's originals from ANAF
- ``imports``   — invoices and payments from the ERP's CSV exports

Callers in other modules use ``from billing import services; services.invoice_issue(...)``: the
public functions are re-exported here.
"""

from billing.services.archives import archive_build, archive_name, archive_request
from billing.services.built_exports import CSV_DIRECT_ROWS, exports_delete_expired
from billing.services.efactura import (
    OriginalConflict,
    Originals,
    freeze_parties,
    invoice_attach_originals,
    invoice_render_xml,
    invoice_signed_zip_name,
    invoice_xml_bytes,
    invoice_xml_name,
)
from billing.services.imports import (
    NOT_LOOKED_UP,
    IssuedInvoiceChanged,
    invoice_build,
    invoice_import,
    invoices_create,
    payment_import,
)
from billing.services.invoices import (
    check_lines_vat,
    clean_invoice_fields,
    derive_status,
    invoice_delete,
    invoice_issue,
    invoice_notify_issued,
    invoice_pdf_name,
    invoice_refresh,
    invoice_render_pdf,
    invoice_save,
    invoice_save_lines,
    payment_refresh,
    release_excess,
)
from billing.services.list_exports import (
    list_export_build,
    list_export_file_name,
    list_export_request,
    list_file_name,
    list_table,
)
from billing.services.notices import (
    notice_confirm,
    notice_create,
    notice_notify_decided,
    notice_notify_staff,
    notice_reject,
)
from billing.services.payments import (
    allocate_oldest_first,
    clean_payment_fields,
    payment_delete,
    payment_record,
    payment_save,
    payment_set_allocations,
    validate_allocations,
)
from billing.services.reminders import DueReminder, due_reminders, reminder_notify, send_invoice_reminders
from billing.services.statement_exports import (
    export_file_name,
    statement_csv_bytes,
    statement_export_build,
    statement_export_request,
    statement_file_name,
)

__all__ = [
    "CSV_DIRECT_ROWS",
    "NOT_LOOKED_UP",
    "DueReminder",
    "IssuedInvoiceChanged",
    "OriginalConflict",
    "Originals",
    "allocate_oldest_first",
    "archive_build",
    "archive_name",
    "archive_request",
    "check_lines_vat",
    "clean_invoice_fields",
    "clean_payment_fields",
    "derive_status",
    "due_reminders",
    "export_file_name",
    "exports_delete_expired",
    "freeze_parties",
    "invoice_attach_originals",
    "invoice_build",
    "invoice_delete",
    "invoice_import",
    "invoice_issue",
    "invoice_notify_issued",
    "invoice_pdf_name",
    "invoice_refresh",
    "invoice_render_pdf",
    "invoice_render_xml",
    "invoice_save",
    "invoice_save_lines",
    "invoice_signed_zip_name",
    "invoice_xml_bytes",
    "invoice_xml_name",
    "invoices_create",
    "list_export_build",
    "list_export_file_name",
    "list_export_request",
    "list_file_name",
    "list_table",
    "notice_confirm",
    "notice_create",
    "notice_notify_decided",
    "notice_notify_staff",
    "notice_reject",
    "payment_delete",
    "payment_import",
    "payment_record",
    "payment_refresh",
    "payment_save",
    "payment_set_allocations",
    "release_excess",
    "reminder_notify",
    "send_invoice_reminders",
    "statement_csv_bytes",
    "statement_export_build",
    "statement_export_request",
    "statement_file_name",
    "validate_allocations",
]
