"""Account emails. Each task takes ids, loads fresh rows and sends at most once per key."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts import privacy
from accounts.models import Invitation, Membership
from portal.notifications import notify, send_once, send_to_user_once


@shared_task
def notify_staff_of_registration(membership_id: int) -> None:
    membership = Membership.objects.select_related("company", "user").get(pk=membership_id)
    if membership.requested_at is None:
        return  # not verified: nothing was asked yet
    url = settings.SITE_URL + reverse("admin:accounts_company_change", args=[membership.company.pk])
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        send_once(
            key=f"company-registered:{membership.company.pk}:{address}",
            to=address,
            template="company_registered",
            context={"membership": membership, "admin_url": url},
        )


@shared_task
def notify_admins_of_join_request(membership_id: int) -> None:
    membership = Membership.objects.select_related("company", "user").get(pk=membership_id)
    if membership.requested_at is None or membership.status != Membership.Status.PENDING:
        return  # not verified, or already decided
    url = settings.SITE_URL + reverse("accounts:members")
    admins = Membership.objects.active().filter(company=membership.company, role=Membership.Role.ADMIN)
    for admin in admins.select_related("user"):
        notify(
            user=admin.user,
            company=membership.company,
            kind="membership.requested",
            message="membership.requested",
            params={"name": str(membership.user), "company": membership.company.name},
            url=reverse("accounts:members"),
            key=f"join-request:{membership.pk}",
        )
        send_to_user_once(
            key=f"join-request:{membership.pk}",
            user=admin.user,
            template="join_request",
            context={"membership": membership, "members_url": url},
        )


@shared_task
def send_membership_approved(membership_id: int) -> None:
    membership = Membership.objects.select_related("company", "user").get(pk=membership_id)
    if membership.status != Membership.Status.ACTIVE:
        return
    send_to_user_once(
        key=f"membership-approved:{membership.pk}",
        user=membership.user,
        template="membership_approved",
        context={"membership": membership, "login_url": settings.SITE_URL + reverse("account_login")},
    )


@shared_task
def send_membership_rejected(membership_id: int) -> None:
    membership = Membership.objects.select_related("company", "user").filter(pk=membership_id).first()
    if membership is None:
        return
    send_to_user_once(
        key=f"membership-rejected:{membership.pk}",
        user=membership.user,
        template="membership_rejected",
        context={"membership": membership},
    )


@shared_task
def send_invitation(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("company", "invited_by").get(pk=invitation_id)
    if not invitation.is_open:
        return
    url = settings.SITE_URL + reverse("accounts:invitation", args=[token])
    send_once(
        key=f"invitation:{invitation.pk}",
        to=invitation.email,
        template="invitation",
        context={"invitation": invitation, "accept_url": url},
        language=invitation.invited_by.language if invitation.invited_by else None,
    )


@shared_task
def build_data_export(export_id: int) -> None:
    """Writes a person's data export ZIP and notifies them; a second run finds it built."""
    privacy.export_build(export_id=export_id)
