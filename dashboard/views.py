from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dashboard import selectors
from portal.tenancy import company_member_required


@require_safe
@company_member_required
def home(request: HttpRequest) -> HttpResponse:
    summaries = selectors.summaries(request.company, request.membership, today=timezone.localdate())
    cards = selectors.cards(request.company, summaries)
    by_key = {card.key: card for card in cards}
    billing, projects = by_key.get("billing"), by_key["projects"]
    return render(
        request,
        "dashboard/home.html",
        {
            "cards": cards,
            "billing_chart": billing.chart if billing else None,
            "progress_chart": projects.chart,
            "active_projects": projects.chart_rows,
            "activity": selectors.activity(request.company, summaries),
            "is_new_client": not any(card.count for card in cards) and not projects.chart_rows,
        },
    )
