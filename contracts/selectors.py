"""Reads for the contract pages (list rows, detail with annexes and projects), each in a fixed number of
queries whatever the number of contracts."""

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from contracts.models import Annex, Contract
from portal.money import format_amount
from portal.rows import detail_url, short_date

SORTS = {"end": ("current_end_date", "number"), "-end": ("-current_end_date", "-number"),
         "number": ("number",), "-start": ("-start_date", "number")}


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
        contract.badge = Contract.badge_for(status)
        contract.start_text = short_date(contract.start_date)
        contract.end_text = short_date(contract.current_end_date)
        contract.value_text = format_amount(contract.current_value)
    return contracts


def contracts_for_detail(*, company) -> QuerySet[Contract]:
    """The company's contracts with what the detail page reads (the view picks one, or 404)."""
    # The project model through the reverse relation: projects points at contracts, never the other way.
    Project = Contract.projects.rel.related_model
    return (Contract.objects.for_company(company).visible().select_related("offer")
            .prefetch_related(Prefetch("annexes", queryset=Annex.objects.order_by("number")),
                              Prefetch("projects", queryset=Project.objects.order_by("-planned_start"))))
