"""Shipment emails. Tasks take ids, load fresh rows and send at most once per key."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership
from portal.notifications import notify, send_to_user_once
from shipments.models import Shipment

# kind → (statuses it still applies to, email template); the in-app message is "shipment.<kind>".
NOTICES = {
    "dispatched": (("expediata", "in_tranzit", "in_livrare"), "shipments_dispatched"),
    "delivered": (("livrata",), "shipments_delivered"),
    "failed": (("livrare_esuata",), "shipments_failed"),
}


@shared_task
def send_status_notice(shipment_id: int, kind: str) -> None:
    """Tell the company's users that their goods left, arrived or could not be delivered.

    Once per shipment and kind, whatever the retries. A notice that no longer applies (the goods were
    delivered before the "left" notice went out) is not sent.
    """
    statuses, template = NOTICES[kind]
    shipment = (
        Shipment.objects.select_related("company", "carrier").prefetch_related("items").filter(pk=shipment_id).first()
    )
    if shipment is None or shipment.status not in statuses:
        return
    path = reverse("shipments:detail", args=[shipment.public_id])
    last_event = shipment.events.order_by("-occurred_at", "-id").first()
    context = {
        "shipment": shipment,
        "event": last_event,
        "items": list(shipment.items.all()),
        "url": settings.SITE_URL + path,
    }
    key = f"shipment:{shipment.pk}:{kind}"
    for membership in Membership.objects.active().filter(company=shipment.company).select_related("user"):
        user = membership.user
        notify(
            user=user,
            company=shipment.company,
            kind=f"shipment.{kind}",
            message=f"shipment.{kind}",
            params={"number": shipment.number},
            url=path,
            key=key,
        )
        send_to_user_once(key=key, user=user, template=template, context=context)
