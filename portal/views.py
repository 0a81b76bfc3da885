from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.navigation import SECTIONS_BY_KEY, sections_for
from portal.tenancy import company_member_required


@company_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    sections = [s for s in sections_for(request.membership) if s.key != "dashboard"]
    return render(request, "portal/dashboard.html", {"sections": sections})


def render_section(request: HttpRequest, key: str) -> HttpResponse:
    """A section's landing page while it holds nothing for this company yet."""
    return render(request, "portal/section_empty.html", {"section": SECTIONS_BY_KEY[key]})
