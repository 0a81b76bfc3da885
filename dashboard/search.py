"""The header's search across sections: each section's ``selectors.search_groups(company, membership, query,
limit)`` says what matches and what the member may see (a member without the billing right gets no invoices
from billing, exactly as /facturi/ answers 403); this module only asks them all, one query per group,
whatever the number of rows.
"""

from __future__ import annotations

from billing import selectors as billing_selectors
from contracts import selectors as contracts_selectors
from files import selectors as files_selectors
from portal import search
from projects import selectors as projects_selectors
from quotes import selectors as quotes_selectors
from shipments import selectors as shipments_selectors
from support import selectors as support_selectors

# In the order the results show; each group key belongs to one section.
SECTIONS = {
    "offers": quotes_selectors,
    "quote_requests": quotes_selectors,
    "projects": projects_selectors,
    "tasks": projects_selectors,
    "invoices": billing_selectors,
    "contracts": contracts_selectors,
    "tickets": support_selectors,
    "shipments": shipments_selectors,
    "documents": files_selectors,
}
HITS_PER_GROUP = 5
HITS_ALONE = 50  # the results page of one group ("vezi toate")


def global_search(company, membership, query: str, *, only: str = "") -> list[search.Group]:
    """The groups with hits, in the order of ``SECTIONS``; ``only`` keeps one group, with more hits."""
    if not search.words(query):
        return []
    sections = [SECTIONS[only]] if only in SECTIONS else list(dict.fromkeys(SECTIONS.values()))
    limit = HITS_ALONE if only in SECTIONS else HITS_PER_GROUP
    groups = {
        group.key: group
        for section in sections
        for group in section.search_groups(company, membership, query, limit)
        if group.hits and (not only or group.key == only)
    }
    return [groups[key] for key in SECTIONS if key in groups]
