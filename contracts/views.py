from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from contracts import selectors, services
from contracts.forms import ContractFilterForm, RenewalForm
from files.selectors import documents_by_linked_object, documents_linked_to
from portal.paging import paginate, query_param, query_without
from portal.tenancy import company_member_required
from quotes import services as quote_services

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
    open_renewal = next((renewal for renewal in contract.renewals if renewal.is_open), None)
    shown = open_renewal if contract.in_renewal_window else None  # named in the expiry alert already
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "documents": documents,
            "annexes": [(annex, annex_documents[annex.pk]) for annex in annexes],
            "open_renewal": open_renewal,
            "other_renewals": [renewal for renewal in contract.renewals if renewal is not shown],
            "can_request_renewal": request.membership.has_right("accept_offers"),
            "active_section": "contracts",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@company_member_required(right="accept_offers")
def contract_renewal(request: HttpRequest, public_id) -> HttpResponse:
    """ "Solicită reînnoire" within the notice period: a confirmation page, then the quote request."""
    contract = get_object_or_404(selectors.contracts_for_detail(company=request.company), public_id=public_id)
    existing = next((renewal for renewal in contract.renewals if renewal.is_open), None)
    if existing is not None:
        return _renewal_exists(request, existing)
    if not contract.in_renewal_window:
        messages.error(request, _("Reînnoirea se poate solicita doar în perioada dinaintea expirării contractului."))
        return redirect("contracts:detail", public_id=contract.public_id)
    form = RenewalForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            quote_request = services.contract_request_renewal(
                contract_id=contract.pk,
                company=request.company,
                user=request.user,
                remarks=form.cleaned_data["remarks"],
            )
        except quote_services.FollowUpExists as error:
            return _renewal_exists(request, error.existing)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("contracts:detail", public_id=contract.public_id)
        messages.success(
            request,
            _("Cererea de reînnoire %(number)s a fost trimisă. Vă anunțăm când primiți oferta.")
            % {"number": quote_request.number},
        )
        return redirect(quote_request)
    context = {
        "contract": contract,
        "lines": services.renewal_lines(contract),
        "delivery": services.renewal_delivery(contract),
    }
    return render(request, "contracts/renewal.html", {**context, "form": form, "active_section": "contracts"})


def _renewal_exists(request: HttpRequest, existing) -> HttpResponse:
    messages.info(
        request,
        _("Există deja o cerere de reînnoire deschisă pentru acest contract: %(number)s. O găsiți mai jos.")
        % {"number": existing.number},
    )
    return redirect(existing)
