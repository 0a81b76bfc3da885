"""Shipment emails. Tasks take ids, load fresh rows and send at most once per key."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Membership
from portal.notifications import notify, send_to_user_once
from shipments.models import Shipment

# kind → (statuses it still applies to, email template, in-app title)
NOTICES = {
    "dispatched": (
        ("expediata", "in_tranzit", "in_livrare"),
        "shipments_dispatched",
        lambda s: _("Expedierea %(number)s a plecat spre dvs.") % {"number": s.number},
    ),
    "delivered": (
        ("livrata",),
        "shipments_delivered",
        lambda s: _("Expedierea %(number)s a fost livrată") % {"number": s.number},
    ),
    "failed": (
        ("livrare_esuata",),
        "shipments_failed",
        lambda s: _("Livrarea expedierii %(number)s a eșuat") % {"number": s.number},
    ),
}


@shared_task
def send_status_notice(shipment_id: int, kind: str) -> None:
    """Tell the company's users that their goods left, arrived or could not be delivered.

    Once per shipment and kind, whatever the retries. A notice that no longer applies (the goods were
    delivered before the "left" notice went out) is not sent.
    """
    statuses, template, title = NOTICES[kind]
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
        with override(user.language):
            notify(
                user=user, company=shipment.company, kind=f"shipment.{kind}", title=title(shipment), url=path, key=key
            )
        send_to_user_once(key=key, user=user, template=template, context=context)
