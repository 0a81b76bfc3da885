from datetime import date

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Coalesce, TruncDate

from shipments.models import MOVING, Shipment, ShipmentItem, Status, TrackingEvent

# The list's status filter: one status, or "pe drum" (every status on the way).
ON_THE_WAY = "pe_drum"


def shipment_list(*, company, status: str = "", date_from: date | None = None, date_to: date | None = None):
    """The company's shipments, those on the way first, then those being prepared, then the finished ones.

    The period filters on the day the shipment left (or is planned to leave, or was registered).
    """
    shipments = (Shipment.objects.for_company(company).with_rank().select_related("carrier")
                 .annotate(day=Coalesce(TruncDate("shipped_at"), "planned_ship_date", TruncDate("created_at"))))
    if status == ON_THE_WAY:
        shipments = shipments.filter(status__in=MOVING)
    elif status:
        shipments = shipments.filter(status=status)
    if date_from:
        shipments = shipments.filter(day__gte=date_from)
    if date_to:
        shipments = shipments.filter(day__lte=date_to)
    return shipments.order_by("rank", F("last_event_at").desc(nulls_last=True), "planned_ship_date", "-id")


def shipment_detail(*, company, public_id) -> Shipment:
    return (Shipment.objects.for_company(company)
            .select_related("carrier", "contract", "project", "offer", "invoice", "received_by")
            .prefetch_related(
                Prefetch("items", queryset=ShipmentItem.objects.order_by("position", "id")),
                Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")))
            .get(public_id=public_id))


def dashboard_summary(*, company) -> dict[str, int]:
    """For the dashboard (one query): shipments on the way, and delivered ones awaiting the client's confirmation."""
    return Shipment.objects.for_company(company).aggregate(
        on_the_way=Count("pk", filter=Q(status__in=MOVING)),
        to_confirm=Count("pk", filter=Q(status=Status.DELIVERED, received_at__isnull=True)))
