"""Deliberately leaky client views, used only by tests/test_tenancy_scope.py."""

from django.db.models import Q
from django.http import HttpResponse
from django.urls import include, path

from contracts.models import Contract
from portal.tenancy import company_member_required, unscoped
from portal.urls import urlpatterns as portal_urlpatterns


@company_member_required
def leaky(request):
    return HttpResponse(str(Contract.objects.count()))  # every company's contracts: the bug


@company_member_required
def by_public_id(request, public_id):
    return HttpResponse(Contract.objects.get(public_id=public_id).title)  # the IDOR


@company_member_required
def scoped_or_public_id(request, public_id):
    # The company narrows one branch of the OR only: another company's contract comes back.
    contracts = Contract.objects.filter(Q(company=request.company) | Q(public_id=public_id))
    return HttpResponse(",".join(contract.title for contract in contracts))


@company_member_required
def escape_hatch(request):
    with unscoped("a deliberate global count"):
        return HttpResponse(str(Contract.objects.count()))


leaks = (
    [
        path("", leaky, name="leak"),
        path("<uuid:public_id>/", by_public_id, name="leak_one"),
        path("or/<uuid:public_id>/", scoped_or_public_id, name="leak_or"),
        path("global/", escape_hatch, name="global"),
    ],
    "contracts",
)
urlpatterns = [path("leak/", include(leaks)), *portal_urlpatterns]
