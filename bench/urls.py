"""The portal's URLs plus two reference views: the ceiling (the smallest Django view: no database, no
session, no template) and the floor (a logged-in client page with the portal's layout and nothing in it)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path

from portal.tenancy import company_member_required


def ceiling(request):
    return HttpResponse("ok", content_type="text/plain")


@company_member_required
def floor(request):
    """What every client page pays before its own content: middleware, session, user, membership, layout."""
    return render(request, "base.html", {"active_section": "dashboard"})


urlpatterns = [
    path("__bench__/ceiling/", ceiling),
    path("__bench__/floor/", floor),
    path("", include("portal.urls")),
]

handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
