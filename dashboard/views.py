from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from dashboard import selectors
from dashboard.search import SECTIONS, global_search
from portal import search
from portal.tenancy import company_member_required


@require_safe
@company_member_required
def home(request: HttpRequest) -> HttpResponse:
    summaries = selectors.summaries(request.company, request.membership, today=timezone.localdate())
    overview = selectors.overview(request.company, request.membership, summaries, today=timezone.localdate())
    return render(
        request,
        "dashboard/home.html",
        {
            "cards": overview.cards,
            "billing_chart": overview.billing_chart,
            "progress_chart": overview.progress_chart,
            "active_projects": overview.active_projects,
            "activity": selectors.activity(request.company, summaries),
            "is_new_client": overview.is_new_client,
        },
    )


def _search_request(request: HttpRequest) -> tuple[str, str]:
    return search.clean_query(request.GET.get("q")), request.GET.get("sectiune", "")


def _more_url(group, query: str) -> str:
    """Where "all results" of a group lead: the section's list filtered by the query where it has a
    search box, else this page for the one group."""
    return group.list_url or f"{reverse('dashboard:search')}?{urlencode({'q': query, 'sectiune': group.key})}"


@require_safe
@company_member_required
def search_results(request: HttpRequest) -> HttpResponse:
    query, only = _search_request(request)
    groups = global_search(request.company, request.membership, query, only=only)
    for group in groups:
        group.more_url = _more_url(group, query)
    return render(
        request,
        "dashboard/search.html",
        {
            "query": query,
            "only": only in SECTIONS and only,
            "groups": groups,
            "too_short": bool(query) and not search.words(query),
        },
    )


@require_safe
@company_member_required
def search_suggestions(request: HttpRequest) -> JsonResponse:
    """The header box's suggestions while typing (static/js/search.js); the page above works without them."""
    query, _ = _search_request(request)
    groups = global_search(request.company, request.membership, query)
    return JsonResponse(
        {
            "groups": [
                {
                    "key": group.key,
                    "label": str(group.label),
                    "hits": [{"title": hit.title, "detail": hit.detail, "url": hit.url} for hit in group.hits],
                    "more_url": _more_url(group, query) if group.has_more else "",
                }
                for group in groups
            ],
            "results_url": f"{reverse('dashboard:search')}?{urlencode({'q': query})}",
        }
    )
