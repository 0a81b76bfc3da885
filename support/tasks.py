"""Ticket emails, sent after commit; each is keyed by event and recipient, so a retry sends nothing twice.

Staff hear of new tickets, client replies and client status changes; the client (the opener and
every colleague who wrote on the ticket) hears of staff replies and staff status changes, one email
for a reply that also changed the status.
Internal notes never reach a task that writes to a client.
"""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership, User
from portal.notification_messages import label_msgid
from portal.notifications import notify, send_once, send_to_user_once
from support import conf
from support.models import Message, StatusChange, Ticket


def client_recipients(ticket: Ticket) -> list[User]:
    """The opener and every client who wrote a public message, while still active members of the company."""
    writers = set(
        Message.objects.filter(ticket=ticket, from_staff=False, is_internal=False).values_list("author_id", flat=True)
    )
    wanted = writers | ({ticket.opened_by_id} if ticket.opened_by_id else set())
    members = (
        Membership.objects.active()
        .filter(company=ticket.company_id, user_id__in=wanted)
        .select_related("user")
        .order_by("user_id")
    )
    return [membership.user for membership in members]


def _to_staff(ticket: Ticket, *, key: str, template: str, context: dict) -> None:
    url = settings.SITE_URL + reverse("admin:support_ticket_change", args=[ticket.pk])
    context = {**context, "ticket": ticket, "url": url}
    addresses = conf.staff_emails()
    for address in addresses:
        send_once(key=f"{key}:{address}", to=address, template=template, context=context)
    assignee = ticket.assigned_to
    if assignee is not None and assignee.is_active and assignee.email not in addresses:
        send_to_user_once(key=key, user=assignee, template=template, context=context)


def _to_clients(ticket: Ticket, *, key: str, template: str, context: dict, notification: str, params: dict) -> None:
    path = reverse("support:detail", args=[ticket.public_id])
    context = {**context, "ticket": ticket, "url": settings.SITE_URL + path}
    for user in client_recipients(ticket):
        send_to_user_once(key=key, user=user, template=template, context=context)
        notify(
            user=user,
            company=ticket.company,
            kind="ticket.updated",
            message=notification,
            params={"number": ticket.number, **params},
            url=path,
            key=key,
        )


def _ticket(queryset, pk):
    return queryset.select_related("ticket__company", "ticket__assigned_to", "ticket__opened_by").filter(pk=pk).first()


@shared_task
def notify_ticket_opened(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("company", "opened_by", "assigned_to").filter(pk=ticket_id).first()
    if ticket is None:
        return
    _to_staff(ticket, key=f"ticket-opened:{ticket.pk}", template="support_opened_staff", context={})


@shared_task
def notify_ticket_message(message_id: int, change_id: int | None = None) -> None:
    """A public message; ``change_id``: the status the staff reply also set, told in the same email."""
    message = _ticket(Message.objects.select_related("author"), message_id)
    if message is None or message.is_internal:
        return
    ticket = message.ticket
    key = f"ticket-message:{message.pk}"
    if message.from_staff:
        change = StatusChange.objects.filter(pk=change_id, ticket=ticket).first() if change_id else None
        _to_clients(
            ticket,
            key=key,
            template="support_reply",
            context={"message": message, "change": change},
            notification="ticket.reply",
            params={},
        )
    else:
        _to_staff(ticket, key=key, template="support_reply_staff", context={"message": message})


@shared_task
def notify_status_change(change_id: int) -> None:
    change = _ticket(StatusChange.objects.select_related("by"), change_id)
    if change is None:
        return
    ticket = change.ticket
    key = f"ticket-status:{change.pk}"
    if change.by_staff:
        _to_clients(
            ticket,
            key=key,
            template="support_status",
            context={"change": change},
            notification="ticket.status",
            params={"status": label_msgid(Ticket.Status(change.to_status).label)},
        )
    else:
        _to_staff(ticket, key=key, template="support_status_staff", context={"change": change})
