"""Billing's part in retention (portal/retention.py): the files clients asked for (statements of account and
list exports, ``BuiltExport``) are deleted with their rows once expired, ``RETENTION_EXPORT_DAYS`` after
they were asked for. Invoices and payments are the company's records: they stay."""

from datetime import datetime

from billing import services


def retention(now: datetime) -> dict[str, int]:
    return {"billing_exports": services.exports_delete_expired(now=now)}
