"""Overdue reminders: which open invoices reached a reminder stage (billing.conf's stages and grace
days), recording each stage once, and the emails and in-portal notices a recorded stage sends to the
company's billing users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from billing import selectors, tasks
from billing.conf import reminder_grace_days, reminder_stages
from billing.models import Invoice, InvoiceReminder
from portal import audit
from portal.notifications import notify, send_to_user_once
from portal.tasks_util import enqueue


@dataclass(frozen=True)
class DueReminder:
    invoice: Invoice
    stage: int
    passed: tuple[int, ...]  # earlier stages reached at the same time: recorded, not sent


def due_reminders(*, today: date | None = None) -> list[DueReminder]:
    """Open invoices that reached a reminder stage not yet sent (within the grace days)."""
    today = today or timezone.localdate()
    stages, grace = reminder_stages(), reminder_grace_days()
    if not stages:
        return []
    earliest_due = today - timedelta(days=max(stages) + grace)
    latest_due = today - timedelta(days=min(stages))
    invoices = (
        Invoice.objects.open()
        .filter(due_date__gte=earliest_due, due_date__lte=latest_due)
        .select_related("company")
        .prefetch_related(models.Prefetch("reminders", to_attr="sent_reminders"))
        .order_by("due_date", "id")
    )
    due = []
    for invoice in invoices:
        days = (today - invoice.due_date).days
        sent = {reminder.stage for reminder in invoice.sent_reminders}
        reached = [stage for stage in stages if stage <= days and stage not in sent]
        current = [stage for stage in reached if days - stage <= grace]
        if current:
            stage = max(current)
            due.append(DueReminder(invoice, stage, tuple(s for s in reached if s < stage)))
    return due


def send_invoice_reminders(*, today: date | None = None) -> int:
    """Record each due reminder stage once and enqueue its emails; returns how many were due."""
    count = 0
    for due in due_reminders(today=today):
        invoice = due.invoice
        try:
            with transaction.atomic():
                for stage in due.passed:
                    InvoiceReminder.objects.get_or_create(
                        invoice=invoice, stage=stage, defaults={"due_date": invoice.due_date}
                    )
                reminder = InvoiceReminder.objects.create(invoice=invoice, stage=due.stage, due_date=invoice.due_date)
                audit.record(action="invoice.reminder", company=invoice.company, obj=invoice, stage=due.stage)
                enqueue(tasks.send_invoice_reminder_emails, reminder.pk)
            count += 1
        except IntegrityError:
            continue  # another run recorded it first
    return count


def reminder_notify(*, reminder: InvoiceReminder) -> None:
    """Email and notify the billing users of a recorded stage, unless the invoice was paid or cancelled since."""
    invoice = reminder.invoice
    invoice.refresh_from_db()
    if not invoice.is_open:
        return  # paid or cancelled since the stage was recorded: never remind
    path = reverse("billing:invoice_detail", args=[invoice.public_id])
    context = {
        "invoice": invoice,
        "stage": reminder.stage,
        "days": abs(reminder.stage),
        "before_due": reminder.stage < 0,
        "url": settings.SITE_URL + path,
    }
    for membership in selectors.billing_recipients(company=invoice.company):
        send_to_user_once(
            key=f"invoice-reminder:{reminder.pk}", user=membership.user, template="billing_reminder", context=context
        )
        notify(
            user=membership.user,
            company=invoice.company,
            kind="invoice.reminder",
            message="invoice.due" if reminder.stage < 0 else "invoice.overdue",
            params={"invoice": invoice.label, "date": invoice.due_date.isoformat()},
            url=path,
            key=f"invoice-reminder:{reminder.pk}",
        )
