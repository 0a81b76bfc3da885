"""Notification topics: what a user can choose to get by email now, in a daily digest, or never.

A topic is read off the notification kind ("offer.sent" → offers) or the email template name
("quotes_offer_sent" → offers). Account emails (approval, invitation) have no topic: always sent.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    OFFERS = "offers", _("Cereri de ofertă și oferte")
    PROJECTS = "projects", _("Proiecte")
    BILLING = "billing", _("Facturi și plăți")
    CONTRACTS = "contracts", _("Contracte")
    SUPPORT = "support", _("Tichete de suport")
    SHIPMENTS = "shipments", _("Expedieri")
    DOCUMENTS = "documents", _("Documente noi")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("imediat")
    DIGEST = "digest", _("în rezumatul zilnic")
    NEVER = "never", _("niciodată")


# First word of a notification kind or an email template name → topic.
PREFIXES = {
    "offer": Topic.OFFERS,
    "offers": Topic.OFFERS,
    "quote": Topic.OFFERS,
    "quotes": Topic.OFFERS,
    "project": Topic.PROJECTS,
    "projects": Topic.PROJECTS,
    "task": Topic.PROJECTS,
    "invoice": Topic.BILLING,
    "payment": Topic.BILLING,
    "billing": Topic.BILLING,
    "contract": Topic.CONTRACTS,
    "contracts": Topic.CONTRACTS,
    "ticket": Topic.SUPPORT,
    "support": Topic.SUPPORT,
    "shipment": Topic.SHIPMENTS,
    "shipments": Topic.SHIPMENTS,
    "document": Topic.DOCUMENTS,
    "files": Topic.DOCUMENTS,
}

# The right a member needs to receive a topic at all.
TOPIC_RIGHTS = {Topic.BILLING: "billing"}


def topic_of(name: str) -> str | None:
    """'offer.sent' / 'quotes_offer_sent' / 'contract_expiring' → the topic, or None."""
    for separator in (".", "_"):
        head = name.split(separator, 1)[0]
        if head in PREFIXES:
            return PREFIXES[head]
    return None
