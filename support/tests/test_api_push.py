"""Replies written in the ERP's helpdesk (POST /api/v1/tickets/{ticket}/replies, multipart): posted as a staff
reply from the admin is, the client emailed once; the same reply id again is "unchanged"."""

import uuid

import pytest
from django.test import override_settings

from files.models import StoredFile
from files.tests.factories import pdf_bytes, png_bytes, upload
from integrations.tests.factories import bearer, integration_key
from portal.models import AuditEntry, Notification
from support import services
from support.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def key():
    return integration_key(scopes=["support:write"], name="ERP helpdesk")[1]


@pytest.fixture
def ticket(company_a, admin_a):
    return services.ticket_open(
        company=company_a, user=admin_a, subject="Pompa CP-200 nu pornește", description="Se oprește după 3 secunde."
    )


def url(ref) -> str:
    return f"/api/v1/tickets/{ref}/replies"


def reply(client, key, ref, attachments=(), **fields):
    data = {"erp_key": "HD-501", "author_name": "Radu Stan", "body": "Am trimis un tehnician mâine la 9.", **fields}
    if attachments:
        data["attachments"] = list(attachments)
    return client.post(url(ref), data, **bearer(key))


def test_a_reply_is_posted_as_a_staff_reply_and_the_client_is_told_once(
    client, key, ticket, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = reply(client, key, ticket.public_id)
    assert created.status_code == 201, created.content
    message = Message.objects.get(ticket=ticket)
    assert created.json() == {
        "key": f"{ticket.number} HD-501",
        "result": "created",
        "status": 201,
        "errors": [],
        "public_id": str(message.public_id),
        "attachments": 0,
    }
    assert message.from_staff and not message.is_internal and message.author is None
    assert (message.erp_key, message.author_name) == ("HD-501", "Radu Stan")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.first_responded_at == message.created_at
    assert [m.to for m in mailoutbox] == [[admin_a.email]] and "Am trimis un tehnician" in mailoutbox[0].body
    assert Notification.objects.filter(user=admin_a, kind="ticket.updated").count() == 1
    entry = AuditEntry.objects.get(action="ticket.staff_replied")
    assert entry.data["integration"] == "ERP helpdesk" and entry.data["erp_key"] == "HD-501"

    with django_capture_on_commit_callbacks(execute=True):
        again = reply(client, key, ticket.number)  # by its number this time
    assert again.status_code == 200 and again.json()["result"] == "unchanged"
    assert again.json()["public_id"] == str(message.public_id)
    assert Message.objects.filter(ticket=ticket).count() == 1 and len(mailoutbox) == 1
    assert Notification.objects.filter(user=admin_a).count() == 1


def test_the_same_id_with_another_text_is_409_and_changes_nothing(client, key, ticket, mailoutbox):
    reply(client, key, ticket.public_id)
    changed = reply(client, key, ticket.public_id, body="Alt text")
    assert changed.status_code == 409 and "HD-501" in changed.json()["detail"]
    assert list(Message.objects.values_list("body", flat=True)) == ["Am trimis un tehnician mâine la 9."]


def test_reply_ids_are_the_tickets_own(client, key, ticket, company_a, admin_a):
    other = services.ticket_open(company=company_a, user=admin_a, subject="Alt tichet", description="Altceva.")
    assert reply(client, key, ticket.public_id).status_code == 201
    assert reply(client, key, other.public_id).status_code == 201
    assert reply(client, key, ticket.public_id, erp_key="HD-502", body="Revenim.").status_code == 201
    assert Message.objects.filter(erp_key="HD-501").count() == 2 and Message.objects.count() == 3


def test_attachments_are_stored_with_the_message(client, key, ticket, company_a):
    files = [upload("raport-service.pdf", pdf_bytes()), upload("foto-pompa.png", png_bytes())]
    response = reply(client, key, ticket.public_id, attachments=files)
    assert response.status_code == 201 and response.json()["attachments"] == 2, response.content
    message = Message.objects.get()
    stored = [a.file for a in Attachment.objects.filter(message=message).select_related("file")]
    assert sorted(f.original_name for f in stored) == ["foto-pompa.png", "raport-service.pdf"]
    assert all(f.company == company_a and f.uploaded_by is None for f in stored)
    again = reply(client, key, ticket.public_id, attachments=[upload("raport-service.pdf", pdf_bytes())])
    assert again.json()["result"] == "unchanged" and again.json()["attachments"] == 2
    assert StoredFile.objects.count() == 2


def test_a_refused_attachment_is_400_and_posts_nothing(client, key, ticket, mailoutbox):
    renamed = upload("raport.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = reply(client, key, ticket.public_id, attachments=[upload("ok.pdf", pdf_bytes()), renamed])
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "attachments"
    assert "raport.pdf" in response.json()["errors"][0]["message"]
    assert not Message.objects.exists() and not StoredFile.objects.exists() and mailoutbox == []


@override_settings(SUPPORT_MAX_ATTACHMENTS=1)
def test_too_many_attachments_are_400(client, key, ticket):
    files = [upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())]
    assert reply(client, key, ticket.public_id, attachments=files).status_code == 400
    assert not Message.objects.exists()


@override_settings(FILES_MAX_UPLOAD_MB=1)
def test_an_attachment_over_the_size_limit_is_413(client, key, ticket):
    big = upload("mare.pdf", pdf_bytes() + b"%" * (1024 * 1024))
    response = reply(client, key, ticket.public_id, attachments=[big])
    assert response.status_code == 413 and not Message.objects.exists()


def test_a_closed_ticket_takes_the_reply_as_from_the_admin_and_stays_closed(client, key, ticket, staff):
    services.ticket_set_status(ticket=ticket, status=Ticket.Status.CLOSED, by=staff)
    assert reply(client, key, ticket.public_id).status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


def test_an_unknown_ticket_is_404(client, key, ticket):
    for ref in (uuid.uuid4(), "T-1999-00001"):
        response = reply(client, key, ref)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert not Message.objects.exists()


def test_bad_fields_are_400(client, key, ticket):
    assert reply(client, key, ticket.public_id, body="   ").status_code == 400
    assert reply(client, key, ticket.public_id, erp_key="").status_code == 400
    assert reply(client, key, ticket.public_id, body="text\x00").status_code == 400
    assert not Message.objects.exists()


def test_only_a_key_with_support_write_may_push(client, ticket):
    assert reply(client, "erp_nu-e-o-cheie", ticket.public_id).status_code == 401
    _integration, reader = integration_key(scopes=["support:read", "documents:write"], name="ERP citire")
    refused = reply(client, reader, ticket.public_id)
    assert refused.status_code == 403 and "support:write" in refused.json()["detail"]
    assert not Message.objects.exists()
