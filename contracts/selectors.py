from django.db.models import Prefetch

from contracts.models import Annex, Contract

SORTS = {"end": ("current_end_date", "number"), "-end": ("-current_end_date", "-number"),
         "number": ("number",), "-start": ("-start_date", "number")}


def contract_list(*, company, status: str = "", sort: str = "end"):
    contracts = Contract.objects.for_company(company).visible()
    if status:
        contracts = contracts.with_display_status(status)
    return contracts.order_by(*SORTS.get(sort, SORTS["end"]))


def contract_detail(*, company, public_id) -> Contract:
    from projects.models import Project

    return (Contract.objects.for_company(company).visible().select_related("offer")
            .prefetch_related(Prefetch("annexes", queryset=Annex.objects.order_by("number")),
                              Prefetch("projects", queryset=Project.objects.order_by("-planned_start")))
            .get(public_id=public_id))
