"""The page a refused form gets (CSRF_FAILURE_VIEW): in the portal's layout and language, not Django's.

A refused form is nearly always an honest one: a page left open past the session's end, a login form
from before a logout, a form sent again with the browser's back button. The page says so and offers the
way back to the form's page; Django has already logged the refusal (logger django.security.csrf).
It renders from what the middleware already loaded (the user, the company) and queries nothing itself.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def _page_of_the_form(request: HttpRequest) -> str | None:
    """The page the form was on (the Referer, sent within the site), or None if it came from elsewhere."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    back_url = _page_of_the_form(request)
    return render(
        request,
        "403_csrf.html",
        {
            "back_url": back_url or reverse("dashboard:home"),
            "back_to_form": back_url is not None,
        },
        status=403,
    )
