from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership
from contracts import services
from contracts.models import ExpiryNotice
from portal.notifications import notify, send_once, send_to_user_once


@shared_task
def send_expiry_notices() -> int:
    """Daily (Celery beat): record the contract expiry notices that are due and email them."""
    return services.send_expiry_notices()


@shared_task
def send_expiry_notice_emails(notice_id: int) -> None:
    notice = ExpiryNotice.objects.select_related("contract__company").filter(pk=notice_id).first()
    if notice is None:
        return
    contract = notice.contract
    path = reverse("contracts:detail", args=[contract.public_id])
    context = {"contract": contract, "notice": notice, "url": settings.SITE_URL + path}
    admins = Membership.objects.active().filter(company=contract.company, role=Membership.Role.ADMIN)
    for membership in admins.select_related("user"):
        send_to_user_once(
            key=f"contract-expiry:{notice.pk}", user=membership.user, template="contract_expiring", context=context
        )
        notify(
            user=membership.user,
            company=contract.company,
            kind="contract.expiring",
            message="contract.expiring",
            params={"number": contract.number, "days": notice.days_before},
            url=path,
            key=f"contract-expiry:{notice.pk}",
        )
    admin_url = settings.SITE_URL + reverse("admin:contracts_contract_change", args=[contract.pk])
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        send_once(
            key=f"contract-expiry:{notice.pk}:{address}",
            to=address,
            template="contract_expiring_staff",
            context={**context, "url": admin_url},
        )
