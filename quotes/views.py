from django.http import HttpRequest, HttpResponse

from portal.tenancy import company_member_required
from portal.views import render_section


@company_member_required
def request_list(request: HttpRequest) -> HttpResponse:
    return render_section(request, "quote_requests")


@company_member_required
def offer_list(request: HttpRequest) -> HttpResponse:
    return render_section(request, "offers")
