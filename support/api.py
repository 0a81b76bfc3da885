"""The ERP's side of support in the API: tickets clients opened and what they wrote since, pulled by cursor,
with their attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja import Path as PathParam
from pydantic import field_validator

from files.api import check_size, clean_text
from files.responses import file_response, safe_filename
from portal import audit
from portal.api import Conflict, require
from portal.api_paging import Page, PullParams, pull, since
from portal.api_refs import CompanyRef, FileRef, LinkedRef, Person, company_ref, file_ref, linked_ref, person
from support import selectors, services
from support.models import Attachment, Message, Ticket

router = Router(tags=["Suport"])


class ClientMessageOut(Schema):
    public_id: UUID
    author: Person | None
    body: str
    created_at: datetime
    attachments: list[FileRef]


class TicketOut(Schema):
    public_id: UUID
    number: str
    subject: str
    description: str = Field(..., description="What the client wrote when opening it")
    category: Literal["tehnic", "comercial", "facturare", "livrare", "altele"]
    priority: Literal["scazuta", "normala", "ridicata", "urgenta"]
    status: Literal["deschis", "in_lucru", "asteapta_client", "rezolvat", "inchis"]
    company: CompanyRef
    created_by: Person | None
    linked: LinkedRef | None = Field(..., description="The object of the company it is about, if any")
    created_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    attachments: list[FileRef] = Field(..., description="The files sent with the description")
    messages: list[ClientMessageOut] = Field(
        ..., description="The clients' messages at or after `updated_since` (all without it), oldest first"
    )
    updated_at: datetime = Field(..., description="The last activity: the list's order and `updated_since`")


class TicketPage(Page[TicketOut]):
    pass


def _files(ticket: Ticket, attachments: list[Attachment]) -> list[FileRef]:
    return [
        file_ref(a.file, reverse("api:ticket_attachment", args=[ticket.public_id, a.public_id])) for a in attachments
    ]


def _message_out(ticket: Ticket, message: Message) -> ClientMessageOut:
    return ClientMessageOut(
        public_id=message.public_id,
        author=person(message.author),
        body=message.body,
        created_at=message.created_at,
        attachments=_files(ticket, message.attachments.all()),
    )


def _ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut(
        public_id=ticket.public_id,
        number=ticket.number,
        subject=ticket.subject,
        description=ticket.description,
        category=ticket.category,
        priority=ticket.priority,
        status=ticket.status,
        company=company_ref(ticket.company),
        created_by=person(ticket.opened_by),
        linked=linked_ref(ticket.linked_type, ticket.linked),
        created_at=ticket.created_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        attachments=_files(ticket, ticket.opening_attachments),
        messages=[_message_out(ticket, message) for message in ticket.client_messages],
        updated_at=ticket.last_activity_at,
    )


@router.get("/tickets", response=TicketPage, summary="Tickets clients opened, with their messages")
def tickets(request, params: Query[PullParams]):
    """Every company's tickets, ordered by their last activity (`updated_at`: a message from the client or the
    supplier, a status change; not a change of priority or assignee) then id, with the clients' messages
    written at or after `updated_since`. Staff replies and internal notes are the supplier's own and not
    listed. Four queries a page, plus one per type of linked object, whatever its length."""
    require(request, "support")
    queryset = selectors.tickets_for_erp(messages_since=since(params.updated_since))
    rows, cursor = pull(queryset, params, at="last_activity_at")
    return TicketPage(items=[_ticket_out(row) for row in rows], next_cursor=cursor)


@router.get(
    "/tickets/{public_id}/attachments/{attachment_id}",
    url_name="ticket_attachment",
    summary="Download a ticket's attachment",
    openapi_extra={"responses": {200: {"description": "The file as it was uploaded"}}},
)
def ticket_attachment(request, public_id: UUID, attachment_id: UUID):
    """The file itself (`Content-Disposition: attachment`); 404 for a ticket or attachment that is not there."""
    require(request, "support")
    ticket = get_object_or_404(Ticket.objects.select_related("company"), public_id=public_id)
    attachment = get_object_or_404(
        Attachment.objects.public().filter(ticket=ticket).select_related("file"), public_id=attachment_id
    )
    stored = attachment.file
    with audit.acting_as(request.auth.name):
        audit.record(
            action="ticket.attachment_downloaded", company=ticket.company, obj=ticket, file=stored.original_name
        )
    stem = stored.original_name.rsplit(".", 1)[0]
    return file_response(stored, filename=safe_filename(stem, stored.extension))


# --- the ERP pushes replies written in its helpdesk -------------------------------------------------------


class ReplyIn(Schema):
    erp_key: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="The reply's id in the ERP's helpdesk, unique within the ticket: the same id again is "
        "'unchanged' (no second message, no second email)",
    )
    author_name: str = Field("", max_length=120, description="Who wrote it in the helpdesk (kept with the message)")
    body: str = Field(..., min_length=1, max_length=services.BODY_MAX, description="The reply's text")

    @field_validator("*", mode="before")
    @classmethod
    def _clean(cls, value):
        return clean_text(value)


class ReplyOut(Schema):
    key: str = Field(..., description="'TICKET_NUMBER ERP_KEY'")
    result: Literal["created", "unchanged"]
    status: int
    errors: list[str] = []
    public_id: UUID = Field(..., description="The message's id in the portal")
    attachments: int = Field(..., description="How many files the message has")


def ticket_by_ref(ref: str) -> Ticket:
    try:
        lookup = {"public_id": UUID(ref)}
    except ValueError:
        lookup = {"number": ref}
    ticket = Ticket.objects.select_related("company").filter(**lookup).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


@router.post(
    "/tickets/{ticket}/replies",
    response={200: ReplyOut, 201: ReplyOut},
    summary="Push a reply written in the ERP's helpdesk (multipart: the fields and any attachments)",
)
def ticket_reply_push(
    request,
    payload: Form[ReplyIn],
    ticket: str = PathParam(..., max_length=64, description="The ticket's `public_id` or its number (T-2026-00042)"),
    attachments: File[list[UploadedFile]] = None,
):
    """A reply of the supplier's support to the client, as `multipart/form-data`: the fields below and any
    files under `attachments` (the field repeated, at most as many as a message of the portal takes; each passes
    the portal's upload checks: 400 with the reason, 413 over the size limit). Posted as a staff reply from the
    admin is: the client is emailed and notified, an open ticket moves to "în lucru". 201 created; 200
    "unchanged" for an `erp_key` already posted on this ticket (with the same text); 409 for one posted with
    another text (a reply sent to the client is never changed); 404 for a ticket that is not there."""
    require(request, "support", write=True)
    files = attachments or []
    for uploaded in files:
        check_size(uploaded)
    found = ticket_by_ref(ticket)
    with audit.acting_as(request.auth.name):
        try:
            message, outcome = services.ticket_erp_reply(
                ticket=found,
                erp_key=payload.erp_key,
                author_name=payload.author_name,
                body=payload.body,
                attachments=files,
            )
        except services.ReplyChanged as error:
            raise Conflict(str(error)) from error
    status = 201 if outcome == "created" else 200
    out = ReplyOut(
        key=f"{found.number} {payload.erp_key}",
        result=outcome,
        status=status,
        public_id=message.public_id,
        attachments=message.attachments.count(),
    )
    return Status(status, out)
