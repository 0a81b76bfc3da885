"""Reads for the contract pages (list rows, detail with annexes and projects), each in a fixed number of
queries whatever the number of contracts."""

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contracts.models import Annex, Contract
from portal import search
from portal.badges import badge_class
from portal.money import format_money
from portal.rows import detail_url, short_date
from portal.summaries import Card, Summary, Urgent, count_of, first_of

SORTS = {
    "end": ("current_end_date", "number"),
    "-end": ("-current_end_date", "-number"),
    "number": ("number",),
    "-start": ("-start_date", "number"),
}


def contract_list(*, company, status: str = "", sort: str = "end"):
    contracts = Contract.objects.for_company(company).visible()
    if status:
        contracts = contracts.with_display_status(status)
    return contracts.order_by(*SORTS.get(sort, SORTS["end"]))


def contract_rows(contracts, *, today: date | None = None) -> list[Contract]:
    """The contract list's rows with what each shows computed once, against one "today" (portal/rows.py)."""
    today = today or timezone.localdate()
    url = detail_url("contracts:detail")
    kinds = dict(Contract.Kind.choices)
    contracts = list(contracts)
    for contract in contracts:
        status = contract.display_status(today)
        contract.url = url(contract.public_id)
        contract.kind_label = kinds.get(contract.kind, contract.kind)
        contract.status_text = Contract.DisplayStatus(status).label
        contract.badge = badge_class("contract", status)
        contract.start_text = short_date(contract.start_date)
        contract.end_text = short_date(contract.current_end_date)
        contract.value_text = format_money(contract.current_value, contract.currency)
    return contracts


def contracts_for_detail(*, company) -> QuerySet[Contract]:
    """The company's contracts with what the detail page reads (the view picks one, or 404)."""
    # The project model through the reverse relation: projects points at contracts, never the other way.
    Project = Contract.projects.rel.related_model
    # The same for the quote requests asking to renew it ("Solicită reînnoire").
    QuoteRequest = Contract.renewal_requests.rel.related_model
    return (
        Contract.objects.for_company(company)
        .visible()
        .select_related("company", "offer__request")
        .prefetch_related(
            Prefetch("annexes", queryset=Annex.objects.order_by("number")),
            Prefetch("projects", queryset=Project.objects.order_by("-planned_start")),
            Prefetch("renewal_requests", queryset=QuoteRequest.objects.order_by("-created_at"), to_attr="renewals"),
        )
    )


# --- the dashboard ----------------------------------------------------------------------------------------


def dashboard_summary(company, membership, *, today: date | None = None) -> Summary:
    """The contracts expiring soon, the first to end, and the contracts' activity."""
    expiring = Contract.objects.for_company(company).with_display_status(
        Contract.DisplayStatus.EXPIRING, today=today or timezone.localdate()
    )
    return Summary(
        figures={
            "count": count_of(expiring),
            **first_of(
                expiring, ("current_end_date", "number"), number="number", date="current_end_date", id="public_id"
            ),
        },
        card=_dashboard_card,
        feed={"contract.activated": gettext_lazy("a activat contractul")},
    )


def _dashboard_card(figures: dict) -> Card:
    count = figures["count"]
    return Card(
        "contracts",
        _("Contracte care expiră curând"),
        "file-earmark-check",
        reverse("contracts:list") + "?status=expiring",
        count,
        ngettext("contract expiră curând", "contracte expiră curând", count),
        _("Niciun contract nu expiră în perioada următoare."),
        tone="warning" if count else "primary",
        urgent=Urgent(
            _("%(number)s se încheie pe %(date)s") % {"number": figures["number"], "date": short_date(figures["date"])},
            reverse("contracts:detail", args=[figures["id"]]),
        )
        if figures["id"]
        else None,
    )


# --- the global search ------------------------------------------------------------------------------------


def search_groups(company, membership, query: str, limit: int) -> list[search.Group]:
    """The contracts whose number or title matches ``query``."""
    contracts = (
        Contract.objects.for_company(company)
        .visible()
        .filter(search.matches(query, "number", "title"))
        .order_by("-start_date", "-id")
    )
    url = detail_url("contracts:detail")
    return [
        search.group(
            "contracts",
            _("Contracte"),
            "file-earmark-check",
            contracts,
            limit=limit,
            hit=lambda contract: search.Hit(str(contract), contract.display_status_label, url(contract.public_id)),
        )
    ]
