"""The dashboard assembled from each section's ``dashboard_summary`` (portal/summaries.py): the cards, their
charts and the activity feed. Every rule about what a member sees is the section's; this module only reads
all the sections' figures in one query and the feed in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

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

CACHE_SECONDS = 24 * 3600

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


def company_cards(company, summaries: dict[str, Summary]) -> dict[str, Card]:
    """The cards every member with the same rights sees, by section. All their counts and the items they
    point to come from one query: the sections' scalar subqueries on the company's row (each an index lookup
    or a count over one company's rows), instead of one or two queries a card."""
    shared = {name: summary for name, summary in summaries.items() if summary.card}
    wanted = {f"{name}_{key}": figure for name, summary in shared.items() for key, figure in summary.figures.items()}
    row = Company.objects.filter(pk=company.pk).annotate(**wanted).values(*wanted).get() if wanted else {}
    return {
        name: summary.card({key: row[f"{name}_{key}"] for key in summary.figures}) for name, summary in shared.items()
    }


def cards(summaries: dict[str, Summary], shared: dict[str, Card]) -> list[Card]:
    """Every section's card in the sections' order: the company's cards and the member's own."""
    return [
        shared[name] if name in shared else summary.own_card()
        for name, summary in summaries.items()
        if name in shared or summary.own_card
    ]


@dataclass
class Overview:
    """What the dashboard shows above the activity feed."""

    cards: list[Card]
    billing_chart: dict | None
    progress_chart: dict | None
    active_projects: list

    @property
    def is_new_client(self) -> bool:
        return not any(card.count for card in self.cards) and not self.active_projects


def overview(company, membership, summaries: dict[str, Summary], *, today: date) -> Overview:
    """The cards and their charts. The company's cards are the same for every member with the same rights
    until the company's data changes, which moves ``Company.data_stamp`` in the same transaction
    (dashboard/stamps.py): they are cached under that stamp, the rights, the language and the day (what is
    overdue or expiring changes at midnight). A member's own cards are read at every visit."""
    rights = ",".join(right for right in membership.RIGHTS if membership.has_right(right))
    key = f"dashboard:{company.pk}:{company.data_stamp}:{rights}:{translation.get_language()}:{today.isoformat()}"
    shared = cache.get(key)
    if shared is None:
        shared = company_cards(company, summaries)
        cache.set(key, shared, CACHE_SECONDS)
    billing, projects = shared.get("billing"), shared["projects"]
    return Overview(
        cards=cards(summaries, shared),
        billing_chart=billing.chart if billing else None,
        progress_chart=projects.chart,
        active_projects=projects.chart_rows,
    )


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
