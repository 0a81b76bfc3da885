"""Support settings, each overridable in portal/settings.py.

Service levels are in calendar hours (no business-hours calendar: simple to explain to a client,
"răspuns până la 14:30", and to check in SQL). The first-response target counts from the opening;
the resolution target from the last (re)opening, and its clock stops while the ticket waits for the
client's answer. A priority change recomputes both targets from those same starting points.
"""

from datetime import timedelta

from django.conf import settings

# priority -> (first response, resolution), in hours
DEFAULT_SLA_HOURS = {
    "urgenta": (2, 8),
    "ridicata": (4, 24),
    "normala": (8, 72),
    "scazuta": (24, 120),
}


def sla_hours(priority: str) -> tuple[int, int]:
    hours = {**DEFAULT_SLA_HOURS, **getattr(settings, "SUPPORT_SLA_HOURS", {})}
    return hours.get(priority, DEFAULT_SLA_HOURS["normala"])


def sla_targets(priority: str) -> tuple[timedelta, timedelta]:
    response, resolution = sla_hours(priority)
    return timedelta(hours=response), timedelta(hours=resolution)


def sla_warning() -> timedelta:
    """A target this close counts as near: the admin's work queue lists the ticket before it is late."""
    return timedelta(hours=int(getattr(settings, "SUPPORT_SLA_WARNING_HOURS", 4)))


def reopen_days() -> int:
    """A resolved or closed ticket can be reopened by the client for this many days."""
    return int(getattr(settings, "SUPPORT_REOPEN_DAYS", 14))


def max_attachments() -> int:
    """Files per message (each also limited by FILES_MAX_UPLOAD_MB)."""
    return int(getattr(settings, "SUPPORT_MAX_ATTACHMENTS", 5))


def staff_emails() -> list[str]:
    return list(getattr(settings, "SUPPORT_NOTIFICATION_EMAILS", None) or settings.STAFF_NOTIFICATION_EMAILS)
