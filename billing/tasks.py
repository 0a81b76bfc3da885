"""Celery entry points for billing: ids in, the row loaded and handed to a service; each safe to run twice.

Who is told and what they read is the services' decision (billing/services/), not the tasks'.
"""

from celery import shared_task

from billing import services
from billing.models import Invoice, InvoiceReminder, PaymentNotice
from portal.tasks_util import send


@shared_task
def render_invoice_pdf(invoice_id: int, force: bool = False) -> None:
    services.invoice_render_pdf(invoice_id=invoice_id, force=force)


@shared_task
def render_invoice_xml(invoice_id: int) -> None:
    services.invoice_render_xml(invoice_id=invoice_id)


@shared_task
def invoices_issued(invoice_ids: list[int]) -> None:
    """What follows an issue or an ERP batch, one task per invoice and kind (each runs once): its XML, the
    billing users' notice, its PDF. One message for a batch of 1,000 instead of 3,000 in the request."""
    for invoice_id in invoice_ids:
        for task in (render_invoice_xml, notify_invoice_issued, render_invoice_pdf):
            send(task, [invoice_id])


@shared_task
def build_invoice_archive(archive_id: int) -> None:
    services.archive_build(archive_id=archive_id)


@shared_task
def notify_invoice_issued(invoice_id: int) -> None:
    invoice = Invoice.objects.select_related("company").filter(pk=invoice_id).first()
    if invoice is not None:
        services.invoice_notify_issued(invoice=invoice)


@shared_task
def send_invoice_reminders() -> int:
    """Daily (Celery beat): record the reminder stages that are due and email them."""
    return services.send_invoice_reminders()


@shared_task
def send_invoice_reminder_emails(reminder_id: int) -> None:
    reminder = InvoiceReminder.objects.select_related("invoice__company").filter(pk=reminder_id).first()
    if reminder is not None:
        services.reminder_notify(reminder=reminder)


@shared_task
def notify_payment_notice_staff(notice_id: int) -> None:
    notice = PaymentNotice.objects.select_related("company", "announced_by").filter(pk=notice_id).first()
    if notice is not None:
        services.notice_notify_staff(notice=notice)


@shared_task
def notify_payment_notice_decided(notice_id: int) -> None:
    notice = PaymentNotice.objects.select_related("company", "announced_by", "payment").filter(pk=notice_id).first()
    if notice is not None:
        services.notice_notify_decided(notice=notice)


@shared_task
def build_statement_export(export_id: int) -> None:
    services.statement_export_build(export_id=export_id)


@shared_task
def build_list_export(export_id: int) -> None:
    services.list_export_build(export_id=export_id)
