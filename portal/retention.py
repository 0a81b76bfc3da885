"""Retention: personal data the portal no longer needs is deleted or stripped, daily.

Periods are settings (``RETENTION_*``); an item is removed once it is strictly older than its period:

- the IP address of an activity-log entry after ``RETENTION_AUDIT_IP_MONTHS`` (12): the entry stays
  (who did what, when — the company's record), without the address;
- sent-email records (``OutboundEmail``: recipient address, subject) after
  ``RETENTION_SENT_EMAIL_MONTHS`` (6) from sending; unsent ones stay (the outbox still needs them);
- notifications read more than ``RETENTION_READ_NOTIFICATION_MONTHS`` (6) ago;
- whatever each app's ``privacy.retention(now)`` handles (accounts: data exports after
  ``RETENTION_EXPORT_DAYS``).

``manage.py apply_retention`` and the Celery beat task ``portal.tasks.apply_retention`` call ``apply``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import AuditEntry, Notification, OutboundEmail
from portal.privacy import privacy_modules

logger = logging.getLogger("portal.retention")


def months_before(now: datetime, months: int) -> datetime:
    return now - relativedelta(months=months)


@transaction.atomic
def apply(now: datetime | None = None) -> dict[str, int]:
    """Applies every retention period once; safe to run any number of times. Returns counts."""
    now = now or timezone.now()
    counts = {
        "audit_ips": AuditEntry.objects.filter(
            created_at__lt=months_before(now, settings.RETENTION_AUDIT_IP_MONTHS), ip__isnull=False
        ).update(ip=None),
        "sent_emails": OutboundEmail.objects.filter(
            sent_at__lt=months_before(now, settings.RETENTION_SENT_EMAIL_MONTHS)
        ).delete()[0],
        "read_notifications": Notification.objects.filter(
            read_at__lt=months_before(now, settings.RETENTION_READ_NOTIFICATION_MONTHS)
        ).delete()[0],
    }
    for module in privacy_modules():
        if hasattr(module, "retention"):
            counts.update(module.retention(now))
    logger.info("event=retention_applied %s", " ".join(f"{key}={value}" for key, value in counts.items()))
    return counts
