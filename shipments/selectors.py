"""Reads for the shipment pages (list rows, detail with items, tracking timeline and documents), each in a
fixed number of queries whatever the number of shipments or events."""

from datetime import date

from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal import search
from portal.badges import badge_class
from portal.rows import detail_url, short_date
from portal.summaries import Card, Summary, Urgent, count_of, first_of
from shipments.models import MOVING, Shipment, ShipmentItem, Status, TrackingEvent

# The list's status filter: one status, or "pe drum" (every status on the way).
ON_THE_WAY = "pe_drum"


def shipment_list(*, company, status: str = "", date_from: date | None = None, date_to: date | None = None):
    """The company's shipments, those on the way first, then those being prepared, then the finished ones.

    The period filters on the day the shipment left (or is planned to leave, or was registered).
    """
    shipments = (
        Shipment.objects.for_company(company)
        .with_rank()
        .select_related("carrier")
        .annotate(day=Coalesce(TruncDate("shipped_at"), "planned_ship_date", TruncDate("created_at")))
    )
    if status == ON_THE_WAY:
        shipments = shipments.filter(status__in=MOVING)
    elif status:
        shipments = shipments.filter(status=status)
    if date_from:
        shipments = shipments.filter(day__gte=date_from)
    if date_to:
        shipments = shipments.filter(day__lte=date_to)
    return shipments.order_by("rank", F("last_event_at").desc(nulls_last=True), "planned_ship_date", "-id")


def shipments_for_detail(*, company) -> QuerySet[Shipment]:
    """The company's shipments with what the detail page reads (the view picks one, or 404)."""
    return (
        Shipment.objects.for_company(company)
        .select_related("carrier", "contract", "project", "offer", "invoice", "received_by")
        .prefetch_related(
            Prefetch("items", queryset=ShipmentItem.objects.order_by("position", "id")),
            Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")),
        )
    )


def shipment_rows(shipments) -> list[Shipment]:
    """The shipment list's rows with what each shows computed once (portal/rows.py)."""
    url = detail_url("shipments:detail")
    labels = dict(Status.choices)
    shipments = list(shipments)
    for shipment in shipments:
        shipment.url = url(shipment.public_id)
        shipment.status_text = labels.get(shipment.status, shipment.status)
        shipment.badge = badge_class("shipment", shipment.status)
        shipment.weight_text = floatformat(shipment.weight_kg, "-2g") if shipment.weight_kg else ""
        shipment.shipped_text = short_date(shipment.shipped_at)
        shipment.planned_ship_text = short_date(shipment.planned_ship_date)
        shipment.delivered_text = short_date(shipment.delivered_at)
        # A returned shipment will not arrive: no estimate.
        shipment.estimated_delivery_text = (
            "" if shipment.status == Status.RETURNED else short_date(shipment.planned_delivery_date)
        )
    return shipments


# --- the dashboard ----------------------------------------------------------------------------------------


def dashboard_summary(company, membership, *, today: date | None = None) -> Summary:
    """The shipments on the way (the first to arrive), those delivered and not yet confirmed, and the
    shipments' activity."""
    shipments = Shipment.objects.for_company(company)
    moving = shipments.filter(status__in=MOVING)
    return Summary(
        figures={
            "on_the_way": count_of(moving),
            "to_confirm": count_of(shipments.filter(status=Status.DELIVERED, received_at__isnull=True)),
            **first_of(
                moving,
                (F("planned_delivery_date").asc(nulls_last=True), "id"),
                number="number",
                status="status",
                date="planned_delivery_date",
                id="public_id",
            ),
        },
        card=_dashboard_card,
        feed={
            "shipment.receipt_confirmed": gettext_lazy("a confirmat primirea expedierii"),
            "shipment.problem_reported": gettext_lazy("a semnalat o problemă la expedierea"),
        },
    )


def _dashboard_card(figures: dict) -> Card:
    count, to_confirm = figures["on_the_way"], figures["to_confirm"]
    urgent = None
    if figures["id"]:
        text = _("%(number)s, %(status)s") % {"number": figures["number"], "status": Status(figures["status"]).label}
        if figures["date"]:
            text += _(", livrare estimată %(date)s") % {"date": short_date(figures["date"])}
        urgent = Urgent(text, reverse("shipments:detail", args=[figures["id"]]))
    return Card(
        "shipments",
        _("Expedieri pe drum"),
        "truck",
        reverse("shipments:list") + f"?status={ON_THE_WAY}",
        count,
        ngettext("expediere pe drum", "expedieri pe drum", count),
        _("Nicio expediere pe drum. Aici urmăriți livrările și documentele lor."),
        urgent=urgent,
        figures=[(_("Livrate, de confirmat"), str(to_confirm))] if to_confirm else [],
    )


# --- the ERP's pull list (shipments/api.py) -----------------------------------------------------------------

RECEIPT, PROBLEM = "receipt_confirmed", "problem_reported"


def reports_for_erp(kind: str) -> QuerySet[Shipment]:
    """The shipments whose receipt clients confirmed (``RECEIPT``) or on which they reported a problem
    (``PROBLEM``), one query each. ``pull_at`` is the report's time; ``pull_key`` numbers each (shipment, kind)
    once, so the two lists merge into one order with one cursor."""
    at, parity = ("received_at", 0) if kind == RECEIPT else ("problem_reported_at", 1)
    return (
        Shipment.objects.filter(**{f"{at}__isnull": False})
        .select_related("company", "carrier", "received_by")
        .annotate(pull_at=F(at), pull_key=F("pk") * 2 + parity, report_kind=Value(kind))
    )


# --- the global search ------------------------------------------------------------------------------------


def search_groups(company, membership, query: str, limit: int) -> list[search.Group]:
    """The shipments whose number or AWB matches ``query``."""
    shipments = (
        Shipment.objects.for_company(company)
        .filter(search.matches(query, "number", "awb"))
        .select_related("carrier")
        .order_by("-created_at", "-id")
    )
    url = detail_url("shipments:detail")
    statuses = dict(Status.choices)
    return [
        search.group(
            "shipments",
            _("Expedieri"),
            "truck",
            shipments,
            limit=limit,
            hit=lambda shipment: search.Hit(
                shipment.number,
                " · ".join(
                    part
                    for part in (
                        f"AWB {shipment.awb}" if shipment.awb else "",
                        str(shipment.carrier or ""),
                        str(statuses.get(shipment.status, shipment.status)),
                    )
                    if part
                ),
                url(shipment.public_id),
            ),
        )
    ]
