"""Celery entry points of the quotes section: ids in, safe to run twice (one email, one PDF)."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership
from portal.notifications import notify, send_once, send_to_user_once
from quotes import services
from quotes.models import Offer, QuoteRequest


def _staff_emails(*, key: str, template: str, context: dict) -> None:
    for address in settings.STAFF_NOTIFICATION_EMAILS:
        send_once(key=f"{key}:{address}", to=address, template=template, context=context)


@shared_task
def notify_staff_of_request(request_id: int) -> None:
    quote_request = (
        QuoteRequest.objects.select_related("company", "created_by", "origin_offer", "origin_contract")
        .prefetch_related("lines", "attachments")
        .filter(pk=request_id)
        .first()
    )
    if quote_request is None:
        return
    url = settings.SITE_URL + reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
    _staff_emails(
        key=f"quote-request:{quote_request.pk}",
        template="quotes_request_new",
        context={"quote_request": quote_request, "url": url},
    )


@shared_task
def notify_staff_of_cancellation(request_id: int) -> None:
    quote_request = QuoteRequest.objects.select_related("company", "cancelled_by").filter(pk=request_id).first()
    if quote_request is None or quote_request.status != QuoteRequest.Status.CANCELLED:
        return
    url = settings.SITE_URL + reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])
    _staff_emails(
        key=f"quote-request-cancelled:{quote_request.pk}",
        template="quotes_request_cancelled",
        context={"quote_request": quote_request, "url": url},
    )


@shared_task
def render_offer_pdf(offer_id: int) -> None:
    """Render and store the offer's PDF unless it is already there."""
    offer = Offer.objects.filter(pk=offer_id).exclude(status=Offer.Status.DRAFT).first()
    if offer is None or offer.pdf_id:
        return
    services.offer_render_pdf(offer=offer)


@shared_task
def render_order_confirmation(offer_id: int) -> None:
    """The accepted offer's "Confirmare de comandă", once (a second run finds it kept)."""
    if Offer.objects.filter(pk=offer_id, status=Offer.Status.ACCEPTED, confirmation_pdf__isnull=True).exists():
        services.order_confirmation_render(offer_id=offer_id)


@shared_task
def notify_offer_sent(offer_id: int) -> None:
    """Every active member of the company: an email (in their language) and an in-app notification."""
    offer = Offer.objects.select_related("company").filter(pk=offer_id).exclude(status=Offer.Status.DRAFT).first()
    if offer is None:
        return
    path = reverse("quotes:offer_detail", args=[offer.public_id])
    key = f"offer-sent:{offer.pk}"
    for membership in Membership.objects.active().filter(company=offer.company).select_related("user"):
        user = membership.user
        notify(
            user=user,
            company=offer.company,
            kind="offer.sent",
            message="offer.sent" if offer.revision == 1 else "offer.revised",
            params={"number": offer.number, "revision": offer.revision},
            url=path,
            key=key,
        )
        send_to_user_once(
            key=key,
            user=user,
            template="quotes_offer_sent",
            context={
                "offer": offer,
                "url": settings.SITE_URL + path,
                "can_accept": membership.has_right("accept_offers"),
            },
        )


@shared_task
def notify_offer_decided(offer_id: int) -> None:
    """Staff by email; the company's other members in the app; the accepted PDF rendered again."""
    offer = (
        Offer.objects.select_related("company", "decided_by", "request")
        .filter(pk=offer_id, status__in=[Offer.Status.ACCEPTED, Offer.Status.REJECTED])
        .first()
    )
    if offer is None:
        return
    url = settings.SITE_URL + reverse("admin:quotes_offer_change", args=[offer.pk])
    # Staff open the confirmation from admin: rendered there on the spot if the task has not run yet.
    confirmation_url = settings.SITE_URL + reverse("admin:quotes_offer_confirmation", args=[offer.pk])
    _staff_emails(
        key=f"offer-decided:{offer.pk}",
        template="quotes_offer_decided_staff",
        context={"offer": offer, "url": url, "confirmation_url": confirmation_url},
    )
    path = reverse("quotes:offer_detail", args=[offer.public_id])
    members = Membership.objects.active().filter(company=offer.company).exclude(user=offer.decided_by_id)
    for membership in members.select_related("user"):
        notify(
            user=membership.user,
            company=offer.company,
            kind=f"offer.{offer.status}",
            message="offer.accepted" if offer.status == Offer.Status.ACCEPTED else "offer.rejected",
            params={"number": offer.number},
            url=path,
            key=f"offer-decided:{offer.pk}",
        )
    if offer.status == Offer.Status.ACCEPTED:
        render_offer_pdf(offer.pk)


@shared_task
def expire_offers() -> int:
    """Daily (Celery beat): offers past their validity date become "expirată"."""
    return services.expire_offers()
