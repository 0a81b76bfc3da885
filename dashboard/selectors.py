"""The dashboard assembled from each section's ``dashboard_summary`` (portal/summaries.py): the cards, their
charts and the activity feed. Every rule about what a member sees is the section's; this module only reads
all the sections' figures in one query and the feed in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from accounts import selectors as accounts_selectors
from accounts.models import Company
from billing import selectors as billing_selectors
from contracts import selectors as contracts_selectors
from files import selectors as files_selectors
from portal.models import AuditEntry
from portal.summaries import Card, Summary
from projects import selectors as projects_selectors
from quotes import selectors as quotes_selectors
from shipments import selectors as shipments_selectors
from support import selectors as support_selectors

# In the order of the cards.
SECTIONS = {
    "quotes": quotes_selectors,
    "billing": billing_selectors,
    "projects": projects_selectors,
    "support": support_selectors,
    "shipments": shipments_selectors,
    "contracts": contracts_selectors,
    "files": files_selectors,
    "accounts": accounts_selectors,
}


def summaries(company, membership, *, today: date) -> dict[str, Summary]:
    return {name: section.dashboard_summary(company, membership, today=today) for name, section in SECTIONS.items()}


def cards(company, summaries: dict[str, Summary]) -> list[Card]:
    """Every section's card. All their counts and the items they point to come from one query: the
    sections' scalar subqueries on the company's row (each an index lookup or a count over one company's
    rows), instead of one or two queries a card."""
    wanted = {f"{name}_{key}": figure for name, summary in summaries.items() for key, figure in summary.figures.items()}
    row = Company.objects.filter(pk=company.pk).annotate(**wanted).values(*wanted).get()
    return [
        summary.card({key: row[f"{name}_{key}"] for key in summary.figures})
        for name, summary in summaries.items()
        if summary.card
    ]


@dataclass
class FeedItem:
    when: object
    who: str
    what: str
    obj: str


def activity(company, summaries: dict[str, Summary], limit: int = 12) -> list[FeedItem]:
    """The company's latest actions the member may see: only those a section lists for the member (staff-only
    actions never reach clients), without the entries a section hides."""
    verbs = {action: verb for summary in summaries.values() for action, verb in summary.feed.items()}
    entries = AuditEntry.objects.for_company(company).filter(action__in=list(verbs))
    for summary in summaries.values():
        if summary.hide_from_feed:
            entries = summary.hide_from_feed(entries)
    items = []
    for entry in entries.select_related("user").order_by("-created_at", "-id")[:limit]:
        # Staff and the system (imports, tasks) act for the supplier.
        if entry.user is None or entry.user.is_staff:
            who = settings.SUPPLIER["name"]
        else:
            who = entry.user.get_full_name() or entry.user.email
        items.append(FeedItem(entry.created_at, who, str(verbs[entry.action]), entry.object_repr))
    return items
