"""A deliberately leaky client view, used only by tests/test_tenancy_guard.py."""

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
def escape_hatch(request):
    with unscoped("a deliberate global count"):
        return HttpResponse(str(Contract.objects.count()))


leaks = ([path("", leaky, name="leak"), path("<uuid:public_id>/", by_public_id, name="leak_one"),
          path("global/", escape_hatch, name="global")], "contracts")
urlpatterns = [path("leak/", include(leaks)), *portal_urlpatterns]
