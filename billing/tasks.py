"""Celery entry points for billing: ids in, a service or a delivery out; each safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from billing import selectors
from portal.notifications import notify, send_once, send_to_user_once

NEW_INVOICE_NOTICE_DAYS = 7


@shared_task
def render_invoice_pdf(invoice_id: int, force: bool = False) -> None:
    from billing import services

    services.invoice_render_pdf(invoice_id=invoice_id, force=force)


@shared_task
def notify_invoice_issued(invoice_id: int) -> None:
    """In the portal (no email): a new invoice or credit note for the billing users.

    Only for recent documents: importing a year of history from the ERP must not flood anyone.
    """
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import Invoice

    invoice = Invoice.objects.select_related("company").filter(pk=invoice_id).first()
    if invoice is None or invoice.status == Invoice.Status.DRAFT:
        return
    if invoice.issue_date < timezone.localdate() - timedelta(days=NEW_INVOICE_NOTICE_DAYS):
        return
    path = reverse("billing:invoice_detail", args=[invoice.public_id])
    for membership in selectors.billing_recipients(company=invoice.company):
        with override(membership.user.language):
            title = (_("Factură storno nouă: %(invoice)s") if invoice.is_credit_note
                     else _("Factură nouă: %(invoice)s")) % {"invoice": invoice}
        notify(user=membership.user, company=invoice.company, kind="invoice.issued", title=title, url=path,
               key=f"invoice-issued:{invoice.pk}")


@shared_task
def send_invoice_reminders() -> int:
    """Daily (Celery beat): record the reminder stages that are due and email them."""
    from billing import services

    return services.send_invoice_reminders()


@shared_task
def send_invoice_reminder_emails(reminder_id: int) -> None:
    from billing.models import InvoiceReminder

    reminder = InvoiceReminder.objects.select_related("invoice__company").filter(pk=reminder_id).first()
    if reminder is None:
        return
    invoice = reminder.invoice
    invoice.refresh_from_db()
    if not invoice.is_open:
        return  # paid or cancelled since the stage was recorded: never remind
    path = reverse("billing:invoice_detail", args=[invoice.public_id])
    context = {"invoice": invoice, "stage": reminder.stage, "days": abs(reminder.stage),
               "before_due": reminder.stage < 0, "url": settings.SITE_URL + path}
    for membership in selectors.billing_recipients(company=invoice.company):
        send_to_user_once(key=f"invoice-reminder:{reminder.pk}", user=membership.user, template="billing_reminder",
                          context=context)
        with override(membership.user.language):
            title = (_("Factura %(invoice)s este scadentă pe %(date)s") if reminder.stage < 0
                     else _("Factura %(invoice)s este restantă")) % {
                "invoice": invoice, "date": invoice.due_date.strftime("%d.%m.%Y")}
        notify(user=membership.user, company=invoice.company, kind="invoice.reminder", title=title, url=path,
               key=f"invoice-reminder:{reminder.pk}")


@shared_task
def notify_payment_notice_staff(notice_id: int) -> None:
    from billing.models import PaymentNotice

    notice = PaymentNotice.objects.select_related("company", "announced_by").filter(pk=notice_id).first()
    if notice is None:
        return
    url = settings.SITE_URL + reverse("admin:billing_paymentnotice_change", args=[notice.pk])
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        send_once(key=f"payment-notice:{notice.pk}:{address}", to=address, template="billing_notice_staff",
                  context={"notice": notice, "url": url})


@shared_task
def notify_payment_notice_decided(notice_id: int) -> None:
    """Tell the client who announced the payment that staff confirmed or rejected it."""
    from billing.models import PaymentNotice

    notice = PaymentNotice.objects.select_related("company", "announced_by", "payment").filter(pk=notice_id).first()
    if notice is None or notice.status == PaymentNotice.Status.PENDING or notice.announced_by is None:
        return
    user = notice.announced_by
    path = reverse("billing:payment_list")
    send_to_user_once(key=f"payment-notice-decided:{notice.pk}", user=user, template="billing_notice_decided",
                      context={"notice": notice, "confirmed": notice.status == PaymentNotice.Status.CONFIRMED,
                               "url": settings.SITE_URL + path})
    with override(user.language):
        title = (_("Plata %(reference)s a fost confirmată") if notice.status == PaymentNotice.Status.CONFIRMED
                 else _("Plata %(reference)s nu a fost confirmată")) % {"reference": notice.reference}
    notify(user=user, company=notice.company, kind="payment_notice.decided", title=title, url=path,
           key=f"payment-notice-decided:{notice.pk}")
