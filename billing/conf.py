"""Billing settings, each with a default (the lead may set them in portal/settings.py)."""

from django.conf import settings


def reminder_stages() -> list[int]:
    """Days relative to the due date when billing users are reminded: -3 = three days before."""
    return sorted({int(day) for day in getattr(settings, "BILLING_REMINDER_STAGES", (-3, 1, 15))})


def reminder_grace_days() -> int:
    """How late a stage may still be sent (a missed daily run); older stages are skipped, not sent late."""
    return int(getattr(settings, "BILLING_REMINDER_GRACE_DAYS", 7))


def due_soon_days() -> int:
    """Open invoices due within this many days are highlighted."""
    return int(getattr(settings, "BILLING_DUE_SOON_DAYS", 7))


SUPPLIER_KEYS = (
    "name",
    "cui",
    "reg_com",
    "street",
    "city",
    "county",
    "iban",
    "bank",
    "bic",
    "email",
    "phone",
    "capital",
)


def supplier() -> dict:
    """The supplier's fiscal data printed on invoices (settings.SUPPLIER, missing keys empty); ``address`` is
    the three address parts on one line."""
    data = getattr(settings, "SUPPLIER", {})
    result = {key: data.get(key, "") for key in SUPPLIER_KEYS}
    result["address"] = ", ".join(part for part in (result["street"], result["city"], result["county"]) if part)
    result["vat_on_receipt"] = bool(data.get("vat_on_receipt", False))
    return result
