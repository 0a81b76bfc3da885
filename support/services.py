"""Writes for support tickets. Views, admin, other sections (a shipment problem) and tasks call these.

Status machine (``Ticket.Status``)::

    deschis ──staff reply──▶ în lucru ◀──client reply── așteaptă răspunsul clientului
       │                        │  ▲                             ▲
       └────────── staff sets any status (admin) ───────────────┘
    any active ──▶ rezolvat (staff) ──▶ închis (staff or client); client closes any open ticket
    rezolvat/închis ──client reopens within SUPPORT_REOPEN_DAYS──▶ deschis

Service levels: the first-response target runs from the opening; the resolution target from the last
(re)opening, and stops while the ticket waits for the client (``waiting_since`` / ``sla_paused``).

Internal notes (``Message.is_internal``) never change what the client sees: not the status,
not the last activity, no email.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, Membership, User
from files.services import store_upload
from files.validation import validate_upload
from portal import audit, events
from portal.db import retry_on_conflict
from portal.tasks_util import enqueue
from support import conf, tasks
from support.models import Attachment, Message, StatusChange, Ticket, TicketCounter

SUBJECT_MAX = 200
BODY_MAX = 20_000


def next_ticket_number(*, now=None) -> str:
    """T-<year>-<00042>: unique across the supplier; the counter row's lock orders concurrent openings."""
    year = timezone.localdate(now) if now else timezone.localdate()
    year = year.year
    with transaction.atomic():
        TicketCounter.objects.get_or_create(year=year)
        TicketCounter.objects.filter(year=year).update(last=F("last") + 1)
        last = TicketCounter.objects.values_list("last", flat=True).get(year=year)
    return f"T-{year}-{last:05d}"


def _clean_text(value: str, *, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("Acest câmp este obligatoriu.")})
    if len(value) > max_length:
        raise ValidationError(
            {field: _("Textul are %(length)d caractere; maximum %(max)d.") % {"length": len(value), "max": max_length}}
        )
    return value


def _check_member(company: Company, user: User) -> None:
    if not Membership.objects.active().filter(company=company, user=user).exists():
        raise ValidationError(_("Utilizatorul nu este membru activ al companiei."))


def _store_attachments(
    *, ticket: Ticket, message: Message | None, attachments: Sequence[UploadedFile], user: User | None
) -> list[Attachment]:
    attachments = [a for a in attachments if a]
    if len(attachments) > conf.max_attachments():
        raise ValidationError(
            {"attachments": _("Puteți atașa cel mult %(max)d fișiere la un mesaj.") % {"max": conf.max_attachments()}}
        )
    # Check every file before storing any, so a refused file leaves nothing behind.
    errors = []
    for uploaded in attachments:
        try:
            validate_upload(uploaded)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return [
        Attachment.objects.create(
            company=ticket.company,
            ticket=ticket,
            message=message,
            file=store_upload(company=ticket.company, uploaded=uploaded, user=user),
        )
        for uploaded in attachments
    ]


def _set_status(ticket: Ticket, to: str, *, by: User | None, by_staff: bool, now, notify: bool) -> StatusChange | None:
    """Move ``ticket`` (locked by the caller) to ``to``; keeps the timestamps the SLA reads. Does not save."""
    if ticket.status == to:
        return None
    change = StatusChange.objects.create(
        ticket=ticket, from_status=ticket.status, to_status=to, by=by, by_staff=by_staff, created_at=now
    )
    reopening = ticket.status in Ticket.ENDED_STATUSES and to in Ticket.ACTIVE_STATUSES
    if ticket.status == Ticket.Status.WAITING and ticket.waiting_since:
        # The time spent waiting for the client does not count against the resolution target.
        ticket.sla_paused += now - ticket.waiting_since
        ticket.resolution_due = ticket.sla_started_at + conf.sla_targets(ticket.priority)[1] + ticket.sla_paused
        ticket.waiting_since = None
    if to == Ticket.Status.WAITING:
        ticket.waiting_since = now
    ticket.status = to
    if to == Ticket.Status.RESOLVED:
        ticket.resolved_at = ticket.resolved_at or now
        ticket.closed_at = None
    elif to == Ticket.Status.CLOSED:
        ticket.closed_at = now
    elif reopening:
        ticket.resolved_at = ticket.closed_at = None
        ticket.sla_started_at, ticket.sla_paused = now, timedelta(0)
        ticket.resolution_due = now + conf.sla_targets(ticket.priority)[1]
    if notify:
        enqueue(tasks.notify_status_change, change.pk)
    return change


def _locked(ticket: Ticket, company: Company | None = None) -> Ticket:
    tickets = Ticket.objects.select_for_update()
    if company is not None:
        tickets = tickets.for_company(company)
    return tickets.get(pk=ticket.pk)


TICKET_FIELDS = [
    "status",
    "resolved_at",
    "closed_at",
    "sla_started_at",
    "resolution_due",
    "waiting_since",
    "sla_paused",
    "first_responded_at",
    "last_activity_at",
]


@retry_on_conflict
@transaction.atomic
def ticket_open(
    *,
    company: Company,
    user: User,
    subject: str,
    description: str,
    category: str = Ticket.Category.OTHER,
    priority: str = Ticket.Priority.NORMAL,
    linked: models.Model | None = None,
    attachments: Sequence[UploadedFile] = (),
) -> Ticket:
    """Open a ticket for ``company`` on behalf of its member ``user``; staff are emailed after commit.

    ``linked`` is any object of the same company (a project, an invoice, a shipment...).
    Raises ValidationError (nothing saved) on bad input.
    """
    subject = _clean_text(subject, field="subject", max_length=SUBJECT_MAX)
    description = _clean_text(description, field="description", max_length=BODY_MAX)
    if category not in Ticket.Category.values:
        raise ValidationError({"category": _("Alegeți o categorie din listă.")})
    if priority not in Ticket.Priority.values:
        raise ValidationError({"priority": _("Alegeți o prioritate din listă.")})
    if linked is not None and (linked.pk is None or getattr(linked, "company_id", None) != company.pk):
        raise ValidationError({"linked": _("Obiectul legat aparține altei companii.")})
    _check_member(company, user)
    now = timezone.now()
    response, resolution = conf.sla_targets(priority)
    ticket = Ticket.objects.create(
        company=company,
        number=next_ticket_number(now=now),
        subject=subject,
        description=description,
        category=category,
        priority=priority,
        opened_by=user,
        linked_type=ContentType.objects.get_for_model(linked) if linked is not None else None,
        linked_id=linked.pk if linked is not None else None,
        created_at=now,
        last_activity_at=now,
        sla_started_at=now,
        first_response_due=now + response,
        resolution_due=now + resolution,
    )
    stored = _store_attachments(ticket=ticket, message=None, attachments=attachments, user=user)
    audit.record(
        action="ticket.opened",
        company=company,
        user=user,
        obj=ticket,
        category=category,
        priority=priority,
        attachments=len(stored),
        linked=linked._meta.label_lower if linked is not None else "",
    )
    enqueue(tasks.notify_ticket_opened, ticket.pk)
    _publish_opened(ticket, company, linked)
    return ticket


def _publish_opened(ticket: Ticket, company: Company, linked: models.Model | None) -> None:
    link = None
    if linked is not None:
        link = {"type": linked._meta.label_lower, "id": str(getattr(linked, "public_id", None) or linked.pk)}
    events.publish(
        "ticket.created",
        company=company,
        obj=ticket,
        data={
            "number": ticket.number,
            "subject": ticket.subject,
            "category": ticket.category,
            "priority": ticket.priority,
            "linked": link,
        },
    )


@retry_on_conflict
@transaction.atomic
def ticket_reply(
    *, ticket: Ticket, company: Company, user: User, body: str, attachments: Sequence[UploadedFile] = ()
) -> Message:
    """A client's message. On "așteaptă răspunsul clientului" the ticket goes back to "în lucru"."""
    ticket = _locked(ticket, company)
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    if not ticket.is_active:
        raise ValidationError(
            _("Tichetul este %(status)s; redeschideți-l pentru a continua discuția.")
            % {"status": ticket.get_status_display()}
        )
    _check_member(company, user)
    now = timezone.now()
    message = Message.objects.create(company=company, ticket=ticket, author=user, body=body, created_at=now)
    stored = _store_attachments(ticket=ticket, message=message, attachments=attachments, user=user)
    if ticket.status == Ticket.Status.WAITING:
        _set_status(ticket, Ticket.Status.IN_PROGRESS, by=user, by_staff=False, now=now, notify=False)
    ticket.last_activity_at = now
    ticket.save(update_fields=TICKET_FIELDS)
    audit.record(action="ticket.replied", company=company, user=user, obj=ticket, attachments=len(stored))
    enqueue(tasks.notify_ticket_message, message.pk)
    events.publish(
        "ticket.message_created",
        company=company,
        obj=message,
        data={
            "ticket": {"id": str(ticket.public_id), "number": ticket.number, "subject": ticket.subject},
            "attachments": len(stored),
        },
    )
    return message


@transaction.atomic
def ticket_staff_message(
    *,
    ticket: Ticket,
    user: User,
    body: str,
    is_internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    status: str | None = None,
) -> Message:
    """A staff reply (the client is emailed) or an internal note (nobody outside staff ever sees it).

    The first public reply answers the ticket (first-response target) and moves "deschis" to "în lucru".
    With ``status`` the ticket also moves there, as ``ticket_set_status`` would; a public reply then tells
    the client both in one email (an internal note leaves the status change its own email).
    """
    if not user.is_staff:
        raise ValidationError(_("Doar personalul furnizorului poate răspunde ca suport."))
    if status is not None and status not in Ticket.Status.values:
        raise ValidationError(_("Stare necunoscută."))
    ticket = _locked(ticket)
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    message = _post_staff_message(ticket, user=user, body=body, is_internal=is_internal, attachments=attachments)
    change = None
    if status is not None and status != ticket.status:
        change = _staff_sets_status(ticket, status, by=user, now=message.created_at, notify=is_internal)
    if not is_internal:
        enqueue(tasks.notify_ticket_message, message.pk, change.pk if change else None)
    return message


class ReplyChanged(Exception):
    """The ERP pushed again a reply the portal already posted (and emailed), with another text."""


@transaction.atomic
def ticket_erp_reply(
    *, ticket: Ticket, erp_key: str, author_name: str, body: str, attachments: Sequence[UploadedFile] = ()
) -> tuple[Message, str]:
    """A reply written in the ERP's helpdesk, posted as a staff reply from the admin is (the client is emailed
    and notified), known by the ERP's id within the ticket: "created", then "unchanged" with no second message
    or email. A posted reply is never changed: the same id with another text raises ReplyChanged."""
    ticket = _locked(ticket)
    erp_key = _clean_text(erp_key, field="erp_key", max_length=100)
    body = _clean_text(body, field="body", max_length=BODY_MAX)
    posted = Message.objects.filter(ticket=ticket, erp_key=erp_key).first()
    if posted is not None:
        if posted.body != body:
            raise ReplyChanged(
                _("Răspunsul %(key)s a fost deja trimis clientului cu alt text; un răspuns trimis nu se mai schimbă.")
                % {"key": erp_key}
            )
        return posted, "unchanged"
    message = _post_staff_message(
        ticket,
        user=None,
        body=body,
        is_internal=False,
        attachments=attachments,
        author_name=(author_name or "").strip()[:120],
        erp_key=erp_key,
    )
    enqueue(tasks.notify_ticket_message, message.pk)
    return message, "created"


def _post_staff_message(
    ticket: Ticket,
    *,
    user: User | None,
    body: str,
    is_internal: bool,
    attachments: Sequence[UploadedFile],
    author_name: str = "",
    erp_key: str = "",
) -> Message:
    """The supplier's message on ``ticket`` (locked by the caller): the first public one answers the ticket
    (first-response target) and moves "deschis" to "în lucru". The caller enqueues the client's email."""
    now = timezone.now()
    message = Message.objects.create(
        company=ticket.company,
        ticket=ticket,
        author=user,
        author_name=author_name,
        erp_key=erp_key,
        body=body,
        from_staff=True,
        is_internal=is_internal,
        created_at=now,
    )
    stored = _store_attachments(ticket=ticket, message=message, attachments=attachments, user=user)
    if not is_internal:
        ticket.first_responded_at = ticket.first_responded_at or now
        ticket.last_activity_at = now
        if ticket.status == Ticket.Status.OPEN:
            _set_status(ticket, Ticket.Status.IN_PROGRESS, by=user, by_staff=True, now=now, notify=False)
        ticket.save(update_fields=TICKET_FIELDS)
    audit.record(
        action="ticket.internal_note" if is_internal else "ticket.staff_replied",
        company=ticket.company,
        user=user,
        obj=ticket,
        attachments=len(stored),
        **({"erp_key": erp_key} if erp_key else {}),
    )
    return message


def _staff_sets_status(ticket: Ticket, status: str, *, by: User, now, notify: bool) -> StatusChange:
    """Staff move ``ticket`` (locked by the caller) to ``status``, audited; ``notify`` emails the client."""
    old = ticket.status
    change = _set_status(ticket, status, by=by, by_staff=True, now=now, notify=notify)
    ticket.last_activity_at = now
    ticket.save(update_fields=TICKET_FIELDS)
    audit.record(action="ticket.status_changed", company=ticket.company, user=by, obj=ticket, old=old, new=status)
    return change


@transaction.atomic
def ticket_set_status(*, ticket: Ticket, status: str, by: User) -> Ticket:
    """Staff move a ticket to any status; the client is emailed."""
    if status not in Ticket.Status.values:
        raise ValidationError(_("Stare necunoscută."))
    ticket = _locked(ticket)
    if ticket.status == status:
        raise ValidationError(
            _("Tichetul %(number)s este deja %(status)s.")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    _staff_sets_status(ticket, status, by=by, now=timezone.now(), notify=True)
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, company: Company, user: User) -> Ticket:
    """The client closes its ticket (solved on its side, or no longer needed)."""
    ticket = _locked(ticket, company)
    if ticket.status == Ticket.Status.CLOSED:
        raise ValidationError(_("Tichetul este deja închis."))
    _check_member(company, user)
    now = timezone.now()
    _set_status(ticket, Ticket.Status.CLOSED, by=user, by_staff=False, now=now, notify=True)
    ticket.last_activity_at = now
    ticket.save(update_fields=TICKET_FIELDS)
    audit.record(action="ticket.closed", company=company, user=user, obj=ticket)
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, company: Company, user: User) -> Ticket:
    """The client reopens a resolved or closed ticket, within SUPPORT_REOPEN_DAYS of its end."""
    ticket = _locked(ticket, company)
    now = timezone.now()
    if ticket.status not in Ticket.ENDED_STATUSES:
        raise ValidationError(_("Tichetul este încă deschis."))
    if not ticket.can_reopen(now):
        raise ValidationError(
            _(
                "Tichetul nu mai poate fi redeschis: au trecut mai mult de %(days)d zile de la "
                "rezolvare. Deschideți un tichet nou."
            )
            % {"days": conf.reopen_days()}
        )
    _check_member(company, user)
    _set_status(ticket, Ticket.Status.OPEN, by=user, by_staff=False, now=now, notify=True)
    ticket.last_activity_at = now
    ticket.save(update_fields=TICKET_FIELDS)
    audit.record(action="ticket.reopened", company=company, user=user, obj=ticket)
    return ticket


@retry_on_conflict
@transaction.atomic
def ticket_rate(*, ticket: Ticket, company: Company, user: User, rating: int, comment: str = "") -> Ticket:
    """A satisfaction rating (1–5, optional comment), once, after the ticket is resolved or closed."""
    ticket = _locked(ticket, company)
    if ticket.rating is not None:
        raise ValidationError(_("Tichetul a fost deja evaluat."))
    if ticket.status not in Ticket.ENDED_STATUSES:
        raise ValidationError(_("Puteți evalua tichetul după ce este rezolvat sau închis."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Alegeți o notă de la 1 la 5.")})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": _("Comentariul poate avea cel mult 2000 de caractere.")})
    _check_member(company, user)
    ticket.rating, ticket.rating_comment, ticket.rated_at, ticket.rated_by = rating, comment, timezone.now(), user
    ticket.save(update_fields=["rating", "rating_comment", "rated_at", "rated_by"])
    audit.record(action="ticket.rated", company=company, user=user, obj=ticket, rating=rating)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, by: User) -> Ticket:
    if assignee is not None and not assignee.is_staff:
        raise ValidationError(_("Tichetele se atribuie doar personalului furnizorului."))
    ticket = _locked(ticket)
    ticket.assigned_to = assignee
    ticket.save(update_fields=["assigned_to"])
    audit.record(
        action="ticket.assigned",
        company=ticket.company,
        user=by,
        obj=ticket,
        assignee=assignee.email if assignee else "",
    )
    return ticket


@transaction.atomic
def ticket_edit_details(*, ticket: Ticket, subject: str, category: str, by: User) -> Ticket:
    """Staff correct the subject or the category; neither changes the status, the targets or the client's mail."""
    ticket = _locked(ticket)
    changed = {
        field: value
        for field, value in (("subject", subject), ("category", category))
        if getattr(ticket, field) != value
    }
    if changed:
        for field, value in changed.items():
            setattr(ticket, field, value)
        ticket.save(update_fields=list(changed))
        audit.record(action="ticket.details_changed", company=ticket.company, user=by, obj=ticket, **changed)
    return ticket


@transaction.atomic
def ticket_set_priority(*, ticket: Ticket, priority: str, by: User) -> Ticket:
    """A new priority sets new targets, counted from the opening (response) and the last (re)opening."""
    if priority not in Ticket.Priority.values:
        raise ValidationError(_("Prioritate necunoscută."))
    ticket = _locked(ticket)
    old = ticket.priority
    response, resolution = conf.sla_targets(priority)
    ticket.priority = priority
    ticket.first_response_due = ticket.created_at + response
    ticket.resolution_due = ticket.sla_started_at + resolution + ticket.sla_paused
    ticket.save(update_fields=["priority", "first_response_due", "resolution_due"])
    audit.record(action="ticket.priority_changed", company=ticket.company, user=by, obj=ticket, old=old, new=priority)
    return ticket


def record_download(*, attachment: Attachment, user: User) -> None:
    audit.record(
        action="ticket.attachment_downloaded",
        company=attachment.company,
        user=user,
        obj=attachment.ticket,
        file=attachment.file.original_name,
    )
