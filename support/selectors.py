"""Reads for the client's support pages, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from files.links import LINKABLES, Linkable
from files.selectors import linked_prefetch
from portal import search
from portal.badges import badge_class
from portal.rows import detail_url, short_date, short_datetime
from portal.summaries import Card, Summary, Urgent, count_of, first_of
from support.models import Attachment, Message, StatusChange, Ticket, awaiting_client_first

LINK_CHOICES_PER_TYPE = 50


def ticket_list(*, company, status: str = "", category: str = "", query: str = ""):
    """The company's tickets: those awaiting the client's reply first, then by last activity."""
    tickets = Ticket.objects.for_company(company)
    if status == "active":
        tickets = tickets.filter(status__in=Ticket.ACTIVE_STATUSES)
    elif status:
        tickets = tickets.filter(status=status)
    if category:
        tickets = tickets.filter(category=category)
    if query:
        tickets = tickets.filter(search.matches(query, "number", "subject"))
    return (
        tickets.select_related("opened_by")
        .defer("description")
        .annotate(awaiting_first=awaiting_client_first())
        .order_by("awaiting_first", "-last_activity_at", "-id")
    )


def with_row_values(tickets) -> list[Ticket]:
    """The list page's tickets with what each row shows computed once (portal/rows.py)."""
    url = detail_url("support:detail")
    # Labels from one dict each: get_FOO_display() rebuilds the field's choices on every call.
    categories, priorities = dict(Ticket.Category.choices), dict(Ticket.Priority.choices)
    statuses = Ticket.client_status_labels()
    now = timezone.now()
    tickets = list(tickets)
    for ticket in tickets:
        ticket.url = url(ticket.public_id)
        ticket.opened_by_text = _("deschis de %(name)s") % {"name": ticket.opened_by or "—"}
        ticket.expected = ticket.expected_text(now)
        ticket.category_label = capfirst(str(categories.get(ticket.category, ticket.category)))
        ticket.priority_label = priorities.get(ticket.priority, ticket.priority)
        ticket.status_text = statuses.get(ticket.status, ticket.status)
        ticket.badge = badge_class("ticket", ticket.status)
        ticket.priority_badge = badge_class("ticket_priority", ticket.priority)
        ticket.last_activity_date = short_date(ticket.last_activity_at)
        ticket.last_activity_datetime = short_datetime(ticket.last_activity_at)
    return tickets


def tickets_for_detail(*, company) -> QuerySet[Ticket]:
    """The company's tickets with what the detail page reads (the view picks one, or 404)."""
    return Ticket.objects.for_company(company).select_related("opened_by", "rated_by", "linked_type")


@dataclass
class Entry:
    """One line of the conversation as the client sees it: a message or a status change."""

    at: datetime
    message: Message | None = None
    change: StatusChange | None = None


def conversation(*, ticket: Ticket) -> tuple[list[Attachment], list[Entry]]:
    """The description's attachments and the public conversation (never an internal note), in order."""
    attachments = list(
        Attachment.objects.for_company(ticket.company_id)
        .public()
        .filter(ticket=ticket, message__isnull=True)
        .select_related("file")
    )
    messages = (
        Message.objects.for_company(ticket.company_id)
        .public()
        .filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.select_related("file")))
    )
    changes = StatusChange.objects.filter(ticket=ticket).select_related("by")
    entries = [Entry(at=m.created_at, message=m) for m in messages]
    entries += [Entry(at=c.created_at, change=c) for c in changes]
    entries.sort(key=lambda e: (e.at, 0 if e.message else 1))
    return attachments, entries


def public_attachments(*, company) -> QuerySet[Attachment]:
    """The attachments the client may download: their ticket is the company's, their message not internal."""
    return (
        Attachment.objects.for_company(company)
        .public()
        .filter(ticket__company=company)
        .select_related("file", "ticket")
    )


# --- Links to other sections' objects ----------------------------------------------------------


def _allowed_links(membership) -> dict[str, Linkable]:
    return {key: link for key, link in LINKABLES.items() if not link.right or membership.has_right(link.right)}


def _scoped(link: Linkable, company):
    model = apps.get_model(link.label)
    manager = model._default_manager
    scoped = manager.for_company(company) if hasattr(manager, "for_company") else manager.filter(company=company)
    queryset = scoped.select_related(*link.select_related)
    # What clients may see of the section (e.g. no draft contracts), where the section says so.
    if hasattr(queryset, "visible"):
        queryset = queryset.visible()
    return queryset


def _has_public_id(model) -> bool:
    return any(f.name == "public_id" for f in model._meta.get_fields())


def link_value(obj: models.Model) -> str:
    key = obj._meta.label_lower
    return f"{key}:{obj.public_id}" if _has_public_id(type(obj)) else f"{key}:{obj.pk}"


def link_choices(*, company, membership, extra: models.Model | None = None) -> list:
    """Grouped choices for the new-ticket form: the 50 most recent objects of each linkable type."""
    groups = []
    for key, link in _allowed_links(membership).items():
        objects = list(_scoped(link, company).order_by("-pk")[:LINK_CHOICES_PER_TYPE])
        if extra is not None and extra._meta.label_lower == key and extra not in objects:
            objects.insert(0, extra)
        if objects:
            groups.append((str(link.verbose_name), [(link_value(obj), str(obj)) for obj in objects]))
    return groups


def resolve_link(*, company, membership, value: str) -> models.Model | None:
    """The object a form's "type:id" names, if it is the company's and the member may see its section."""
    if not value:
        return None
    key, _sep, ident = value.partition(":")
    link = _allowed_links(membership).get(key)
    if link is None or not ident:
        raise ValidationError(_("Alegeți un obiect din listă."))
    queryset = _scoped(link, company)
    lookup = "public_id" if _has_public_id(queryset.model) else "pk"
    try:
        return queryset.get(**{lookup: ident})
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as error:
        raise ValidationError(_("Alegeți un obiect din listă.")) from error


def linked_for(*, ticket: Ticket, membership) -> tuple[str, models.Model] | None:
    """The ticket's linked object with its type name, if the member may see that section."""
    if ticket.linked_type_id is None:
        return None
    key = f"{ticket.linked_type.app_label}.{ticket.linked_type.model}"
    link = LINKABLES.get(key)
    if link is not None and link.right and not membership.has_right(link.right):
        return None
    model = ticket.linked_type.model_class()
    if model is None:
        return None
    queryset = model._default_manager.filter(pk=ticket.linked_id, company=ticket.company_id)
    if link is not None:
        queryset = queryset.select_related(*link.select_related)
    obj = queryset.first()
    if obj is None:
        return None
    return str(link.verbose_name if link else ticket.linked_type.name), obj


# --- the dashboard ----------------------------------------------------------------------------------------


def dashboard_summary(company, membership, *, today=None) -> Summary:
    """The tickets waiting for the client's answer, the longest waiting first, and the tickets' activity."""
    waiting = Ticket.objects.for_company(company).filter(status=Ticket.Status.WAITING)
    return Summary(
        figures={
            "count": count_of(waiting),
            **first_of(waiting, ("last_activity_at", "id"), number="number", subject="subject", id="public_id"),
        },
        card=_dashboard_card,
        feed={
            "ticket.opened": gettext_lazy("a deschis tichetul"),
            "ticket.closed": gettext_lazy("a închis tichetul"),
            "ticket.reopened": gettext_lazy("a redeschis tichetul"),
            "ticket.rated": gettext_lazy("a evaluat tichetul"),
        },
    )


def _dashboard_card(figures: dict) -> Card:
    count = figures["count"]
    return Card(
        "support",
        _("Tichete de suport"),
        "life-preserver",
        reverse("support:list") + f"?status={Ticket.Status.WAITING}",
        count,
        ngettext("tichet așteaptă răspunsul dvs.", "tichete așteaptă răspunsul dvs.", count),
        _("Niciun tichet nu așteaptă răspunsul dvs. Pentru orice problemă, deschideți un tichet."),
        tone="warning" if count else "primary",
        urgent=Urgent(f"{figures['number']}: {figures['subject']}", reverse("support:detail", args=[figures["id"]]))
        if figures["id"]
        else None,
    )


# --- the ERP's pull list (support/api.py) and other sections' reads ----------------------------------------


def tickets_for_erp(*, messages_since: datetime | None = None) -> QuerySet[Ticket]:
    """Every company's tickets with the description's attachments, the clients' messages (from
    ``messages_since``) with theirs, and the linked objects: four queries, plus one per type of linked object.
    Staff replies and internal notes are the supplier's own and stay out."""
    files = Attachment.objects.select_related("file").order_by("created_at", "id")
    messages = Message.objects.filter(from_staff=False, is_internal=False).select_related("author")
    if messages_since is not None:
        messages = messages.filter(created_at__gte=messages_since)
    return Ticket.objects.select_related("company", "opened_by", "linked_type").prefetch_related(
        Prefetch("attachments", queryset=files.filter(message__isnull=True), to_attr="opening_attachments"),
        Prefetch(
            "messages",
            queryset=messages.order_by("created_at", "id").prefetch_related(Prefetch("attachments", queryset=files)),
            to_attr="client_messages",
        ),
        linked_prefetch(),
    )


def tickets_by_public_id(public_ids) -> dict:
    """Tickets by their public id with who opened them, in one query (a shipment keeps its problem ticket's id)."""
    ids = {public_id for public_id in public_ids if public_id}
    if not ids:
        return {}
    return {t.public_id: t for t in Ticket.objects.filter(public_id__in=ids).select_related("opened_by")}


# --- the global search ------------------------------------------------------------------------------------


def search_groups(company, membership, query: str, limit: int) -> list[search.Group]:
    """The tickets whose number or subject matches ``query``, latest activity first."""
    tickets = (
        Ticket.objects.for_company(company)
        .filter(search.matches(query, "number", "subject"))
        .defer("description")
        .order_by("-last_activity_at", "-id")
    )
    url = detail_url("support:detail")
    statuses = Ticket.client_status_labels()
    return [
        search.group(
            "tickets",
            _("Tichete"),
            "life-preserver",
            tickets,
            limit=limit,
            hit=lambda ticket: search.Hit(
                f"{ticket.number} — {ticket.subject}",
                f"{statuses.get(ticket.status, ticket.status)} · {short_date(ticket.last_activity_at)}",
                url(ticket.public_id),
            ),
            list_url=search.list_url("support:list", query),
        )
    ]
