from django.http import HttpRequest, HttpResponse

from portal.tenancy import company_member_required
from portal.views import render_section


@company_member_required
def list(request: HttpRequest) -> HttpResponse:
    return render_section(request, "shipments")
