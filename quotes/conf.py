"""Settings of the quotes section, with defaults (the lead may set them in portal/settings.py)."""

from django.conf import settings


def offer_validity_days() -> int:
    """Days an offer stays valid by default (admin prefills the date)."""
    return int(getattr(settings, "QUOTES_OFFER_VALIDITY_DAYS", 30))


def max_lines() -> int:
    return int(getattr(settings, "QUOTES_MAX_LINES", 50))


def max_attachments() -> int:
    return int(getattr(settings, "QUOTES_MAX_ATTACHMENTS", 10))


def product_suggestions() -> int:
    """How many catalogue products the request form lists (the search endpoint finds the rest)."""
    return int(getattr(settings, "QUOTES_PRODUCT_SUGGESTIONS", 200))


def offer_expiry_warning_days() -> int:
    """A sent offer valid for at most this many more days is "about to expire" in the admin's work queue."""
    return int(getattr(settings, "QUOTES_OFFER_EXPIRY_WARNING_DAYS", 7))
