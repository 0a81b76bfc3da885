"""The portal's URLs plus the ceiling: the smallest Django view (no database, no session, no template)."""

from django.http import HttpResponse
from django.urls import include, path


def ceiling(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/ceiling/", ceiling),
    path("", include("portal.urls")),
]

handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
