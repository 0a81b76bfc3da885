"""Reads for the quotes pages and the offer PDF, each in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import CharField, Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Membership
from portal import search
from portal.badges import badge_class
from portal.money import format_money
from portal.rows import detail_url, short_date
from portal.summaries import Card, Summary, Urgent, count_of, first_of, split_texts, texts_of
from quotes import conf
from quotes.models import Offer, OfferLine, Product, QuoteRequest, QuoteRequestLine
from quotes.totals import offer_totals

# --- requests ---------------------------------------------------------------------------------------------


def request_list(*, company, status: str = ""):
    requests = (
        QuoteRequest.objects.for_company(company)
        .select_related("created_by")
        .prefetch_related(Prefetch("lines", queryset=QuoteRequestLine.objects.order_by("position")))
        .annotate(offer_count=Count("offers", filter=Q(offers__is_current=True)))
    )
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at", "-id")


def requests_for_detail(*, company) -> QuerySet[QuoteRequest]:
    """The company's requests with what the detail page reads (the view picks one, or 404)."""
    return (
        QuoteRequest.objects.for_company(company)
        .select_related("created_by", "cancelled_by", "origin_offer", "origin_contract")
        .prefetch_related(
            Prefetch("lines", queryset=QuoteRequestLine.objects.select_related("product").order_by("position")),
            "attachments",
            Prefetch("offers", queryset=Offer.objects.visible().current().order_by("-sent_at"), to_attr="sent_offers"),
        )
    )


def product_suggestions():
    return Product.objects.filter(active=True).order_by("name", "code")[: conf.product_suggestions()]


def product_search(*, query: str, limit: int = 20) -> list[Product]:
    """Catalogue products by code or name, typed with or without diacritics ("pompa" finds "Pompă")."""
    if not search.words(query):
        return []
    return list(
        Product.objects.filter(active=True)
        .filter(search.matches(query, "code", "name"))
        .order_by("name", "code")[:limit]
    )


# --- offers -----------------------------------------------------------------------------------------------


def offer_list(*, company, status: str = ""):
    offers = Offer.objects.for_company(company).visible().current().select_related("request")
    if status:
        offers = offers.with_display_status(status)
    return offers.order_by("-sent_at", "-id")


def _lines():
    return Prefetch("lines", queryset=OfferLine.objects.select_related("product").order_by("position", "id"))


def offers_for_detail(*, company) -> QuerySet[Offer]:
    """The company's offers with what the detail page reads (the view picks one, or 404)."""
    return (
        Offer.objects.for_company(company)
        .visible()
        .select_related("request", "decided_by", "sent_by")
        .prefetch_related(_lines(), _follow_ups())
    )


def _follow_ups():
    """The requests made from an offer ("Cere o ofertă nouă"), newest first."""
    return Prefetch(
        "follow_up_requests", queryset=QuoteRequest.objects.order_by("-created_at", "-id"), to_attr="follow_ups"
    )


def offer_history(*, offer: Offer) -> list[Offer]:
    """Every revision of the offer the client has seen, newest first (this one included)."""
    return list(
        Offer.objects.for_company(offer.company_id)
        .visible()
        .filter(number=offer.number)
        .select_related("decided_by")
        .order_by("-revision")
    )


def members_who_can_accept(*, company) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(company=company)
        .with_right("accept_offers")
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def offer_figures(offer: Offer) -> dict:
    """The lines with their amounts and the totals: what the page and the PDF both show."""
    lines = list(offer.lines.all())
    return {"rows": [(line, line.amounts) for line in lines], "totals": offer_totals(lines)}


def offer_for_pdf(*, pk: int) -> Offer:
    return (
        Offer.objects.select_related("company", "request", "decided_by", "confirmation_pdf")
        .prefetch_related(_lines())
        .get(pk=pk)
    )


def offer_pdf_context(offer: Offer) -> dict:
    return {"offer": offer, "company": offer.company, "supplier": settings.SUPPLIER, **offer_figures(offer)}


def request_rows(quote_requests) -> list[QuoteRequest]:
    """The request list's rows with what each shows computed once (portal/rows.py)."""
    url = detail_url("quotes:request_detail")
    deliveries, statuses = dict(QuoteRequest.Delivery.choices), dict(QuoteRequest.Status.choices)
    quote_requests = list(quote_requests)
    for quote_request in quote_requests:
        lines = list(quote_request.lines.all())
        quote_request.url = url(quote_request.public_id)
        quote_request.status_text = statuses.get(quote_request.status, quote_request.status)
        quote_request.badge = badge_class("quote_request", quote_request.status)
        quote_request.created_by_text = str(quote_request.created_by) if quote_request.created_by else ""
        quote_request.line_count = len(lines)
        quote_request.lines_preview = ", ".join(line.description for line in lines[:2])
        quote_request.more_lines = max(len(lines) - 2, 0)
        quote_request.created_text = short_date(quote_request.created_at)
        quote_request.desired_text = short_date(quote_request.desired_date)
        quote_request.delivery_label = capfirst(str(deliveries.get(quote_request.delivery_option, "")))
    return quote_requests


def offer_rows(offers) -> list[Offer]:
    """The offer list's rows with what each shows computed once (portal/rows.py)."""
    url = detail_url("quotes:offer_detail")
    offers = list(offers)
    for offer in offers:
        status = offer.display_status()
        offer.url = url(offer.public_id)
        offer.status_text = Offer.DisplayStatus(status).label
        offer.badge = badge_class("offer", status)
        offer.sent_text = short_date(offer.sent_at)
        offer.valid_text = short_date(offer.valid_until)
        offer.total_text = format_money(offer.total_gross, offer.currency)
    return offers


# --- the dashboard ----------------------------------------------------------------------------------------

DECIDERS_NAMED = 3  # the names the offers' card lists to a member who may not decide; "and N more" after them


def dashboard_summary(company, membership, *, today: date | None = None) -> Summary:
    """The offers waiting for a decision, the first to expire, and the quotes' activity. A member who may not
    decide reads who can: the names come with the other figures, in the dashboard's one query."""
    offers = (
        Offer.objects.for_company(company)
        .visible()
        .current()
        .with_display_status(Offer.DisplayStatus.OPEN, today=today or timezone.localdate())
    )
    accepted = Offer.objects.for_company(company).filter(status=Offer.Status.ACCEPTED)
    last_accepted = first_of(
        accepted, ("-decided_at", "-id"), number="number", id="public_id", pdf="confirmation_pdf_id"
    )
    may_decide = membership.has_right("accept_offers")
    return Summary(
        figures={
            "count": count_of(offers),
            **first_of(offers, ("valid_until", "number"), number="number", date="valid_until", id="public_id"),
            **{f"accepted_{name}": figure for name, figure in last_accepted.items()},
            **({} if may_decide else {"deciders": texts_of(_deciders(company), _member_name())}),
        },
        card=_dashboard_card,
        feed={
            "offer.sent": gettext_lazy("a trimis oferta"),
            "offer.accepted": gettext_lazy("a acceptat oferta"),
            "offer.rejected": gettext_lazy("a respins oferta"),
            "quote_request.created": gettext_lazy("a trimis cererea de ofertă"),
            "quote_request.cancelled": gettext_lazy("a anulat cererea de ofertă"),
        },
    )


def _deciders(company) -> QuerySet[Membership]:
    """The company's active members who may accept or reject an offer."""
    return Membership.objects.for_company(company).active().with_right("accept_offers")


def _member_name():
    """A member's full name as ``User.get_full_name`` writes it, or the email when the name is empty."""
    full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name"))
    return Coalesce(NullIf(full_name, Value("")), "user__email", output_field=CharField())


def _dashboard_card(figures: dict) -> Card:
    count = figures["count"]
    count_label, empty = _decision_texts(count, figures.get("deciders"))
    return Card(
        "offers",
        _("Oferte de analizat"),
        "file-earmark-text",
        reverse("quotes:offer_list") + "?status=open",
        count,
        count_label,
        empty,
        tone="warning" if count else "primary",
        urgent=Urgent(
            _("%(offer)s expiră pe %(date)s") % {"offer": figures["number"], "date": short_date(figures["date"])},
            reverse("quotes:offer_detail", args=[figures["id"]]),
        )
        if figures["id"]
        else None,
        links=_last_order(figures),
    )


def _decision_texts(count: int, deciders: str | None) -> tuple[str, str]:
    """What the card says after the count, and when there is nothing to decide: to a member who may decide,
    "your decision"; to one who may not, whose decision (``deciders``: the names, None for the first)."""
    if deciders is None:
        return (
            ngettext("ofertă așteaptă decizia dvs.", "oferte așteaptă decizia dvs.", count),
            _("Nicio ofertă nu așteaptă decizia dvs. Cereți una din „Cerere ofertă”."),
        )
    empty = _("Nicio ofertă nu așteaptă o decizie. Cereți una din „Cerere ofertă”.")
    names = split_texts(deciders)
    if not names:
        return ngettext("ofertă așteaptă o decizie", "oferte așteaptă o decizie", count), empty
    named = ", ".join(names[:DECIDERS_NAMED])
    if len(names) > DECIDERS_NAMED:
        named = _("%(names)s și încă %(count)d") % {"names": named, "count": len(names) - DECIDERS_NAMED}
    text = ngettext("ofertă așteaptă decizia: %(names)s", "oferte așteaptă decizia: %(names)s", count)
    return text % {"names": named}, empty


def _last_order(figures: dict) -> list[Urgent]:
    """The last accepted offer's order confirmation, or the offer while its PDF is being generated."""
    if not figures["accepted_id"]:
        return []
    number = figures["accepted_number"]
    if figures["accepted_pdf"]:
        text = _("Confirmarea de comandă pentru %(number)s (PDF)") % {"number": number}
        return [Urgent(text, reverse("quotes:offer_confirmation", args=[figures["accepted_id"]]))]
    text = _("Confirmarea de comandă pentru %(number)s se generează") % {"number": number}
    return [Urgent(text, reverse("quotes:offer_detail", args=[figures["accepted_id"]]))]


# --- the ERP's pull lists (quotes/api.py) -------------------------------------------------------------------


def requests_for_erp() -> QuerySet[QuoteRequest]:
    """Every company's quote requests with what the API's list shows, in three queries for any page."""
    return QuoteRequest.objects.select_related("company", "created_by", "cancelled_by").prefetch_related(
        Prefetch("lines", queryset=QuoteRequestLine.objects.select_related("product").order_by("position")),
        "attachments",
    )


def decisions_for_erp() -> QuerySet[Offer]:
    """Every offer a client accepted or rejected, with who decided and the request it answers (one query)."""
    return Offer.objects.filter(
        status__in=(Offer.Status.ACCEPTED, Offer.Status.REJECTED), decided_at__isnull=False
    ).select_related("company", "decided_by", "request")


# --- the global search ------------------------------------------------------------------------------------


def search_groups(company, membership, query: str, limit: int) -> list[search.Group]:
    """The offers and quote requests matching ``query`` by number or by one of their lines' products, newest
    first. The lines are searched in a subquery (through their own index), not joined: a join would fold every
    line of the company's offers and need a DISTINCT."""
    offer_lines = OfferLine.objects.for_company(company).filter(search.matches(query, "description"))
    offers = (
        Offer.objects.for_company(company)
        .visible()
        .current()
        .filter(search.matches(query, "number", "request__number") | Q(pk__in=offer_lines.values("offer_id")))
        .order_by("-sent_at", "-id")
    )
    request_lines = QuoteRequestLine.objects.for_company(company).filter(search.matches(query, "description"))
    requests = (
        QuoteRequest.objects.for_company(company)
        .filter(search.matches(query, "number") | Q(pk__in=request_lines.values("request_id")))
        .order_by("-created_at", "-id")
    )
    offer_url, request_url = detail_url("quotes:offer_detail"), detail_url("quotes:request_detail")
    statuses = dict(QuoteRequest.Status.choices)
    return [
        search.group(
            "offers",
            _("Oferte"),
            "file-earmark-text",
            offers,
            limit=limit,
            hit=lambda offer: search.Hit(
                _("Oferta %(number)s") % {"number": offer.number},
                f"{offer.display_status_label} · {format_money(offer.total_gross, offer.currency)}",
                offer_url(offer.public_id),
            ),
        ),
        search.group(
            "quote_requests",
            _("Cereri de ofertă"),
            "cart-plus",
            requests,
            limit=limit,
            hit=lambda request: search.Hit(
                str(request),
                f"{statuses.get(request.status, request.status)} · {short_date(request.created_at)}",
                request_url(request.public_id),
            ),
        ),
    ]


def requests_awaiting_offer(queryset: QuerySet[QuoteRequest] | None = None) -> QuerySet[QuoteRequest]:
    """Requests still open on the client's side for which staff have made no offer, not even a draft."""
    queryset = QuoteRequest.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=QuoteRequest.CANCELLABLE, offers__isnull=True)


def offers_expiring_soon(queryset: QuerySet[Offer] | None = None, *, today: date | None = None) -> QuerySet[Offer]:
    """Sent offers still open whose validity ends within ``conf.offer_expiry_warning_days()``."""
    queryset = Offer.objects.all() if queryset is None else queryset
    today = today or timezone.localdate()
    last_day = today + timezone.timedelta(days=conf.offer_expiry_warning_days())
    return queryset.filter(status=Offer.Status.SENT, valid_until__gte=today, valid_until__lte=last_day)
