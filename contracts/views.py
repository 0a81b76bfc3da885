from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from contracts import selectors
from contracts.forms import ContractFilterForm
from files.selectors import documents_by_linked_object, documents_linked_to
from portal.paging import paginate, query_param, query_without
from portal.tenancy import company_member_required

PER_PAGE = 25


@require_safe
@company_member_required
def contract_list(request: HttpRequest) -> HttpResponse:
    filters = ContractFilterForm(request.GET or None)
    contracts = selectors.contract_list(company=request.company, **filters.filters())
    page = paginate(request, contracts, per_page=PER_PAGE, rows=selectors.contract_rows)
    return render(
        request,
        "contracts/list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_without(request, "page"),
            "active_section": "contracts",
            "is_filtered": bool(request.GET.get("status")),
        },
    )


@require_safe
@company_member_required
def contract_detail(request: HttpRequest, public_id) -> HttpResponse:
    contract = get_object_or_404(selectors.contracts_for_detail(company=request.company), public_id=public_id)
    annexes = list(contract.annexes.all())
    documents = documents_linked_to(
        membership=request.membership, user=request.user, obj=contract, page_number=query_param(request, "documents")
    )
    annex_documents = documents_by_linked_object(membership=request.membership, user=request.user, objects=annexes)
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "documents": documents,
            "annexes": [(annex, annex_documents[annex.pk]) for annex in annexes],
            "active_section": "contracts",
        },
    )
