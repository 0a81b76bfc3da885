"""Company B cannot touch A's tickets; internal notes never reach a client (page, email, download)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.models import AuditEntry
from support import services
from support.models import Attachment, Message, Ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET = "Clientul nu a plătit ultima factură — nu prioritizăm"


def pdf(name="raport.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def ticket_a(company_a, admin_a, staff, settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["suport@furnizor.ro"]
    ticket = services.ticket_open(
        company=company_a,
        user=admin_a,
        subject="Comanda 118 întârziată",
        description="Nu a sosit.",
        attachments=[pdf("aviz.pdf")],
    )
    services.ticket_staff_message(ticket=ticket, user=staff, body="Verificăm cu transportatorul.")
    services.ticket_staff_message(
        ticket=ticket, user=staff, body=SECRET, is_internal=True, attachments=[pdf("intern.pdf")]
    )
    return ticket


def snapshot(ticket):
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.rating,
        ticket.last_activity_at,
        ticket.closed_at,
        Message.objects.count(),
        Attachment.objects.count(),
    )


ACTIONS = [
    ("get", "support:detail", {}),
    ("post", "support:reply", {"body": "Intrus", "attachments": [pdf("x.pdf")]}),
    ("post", "support:close", {}),
    ("post", "support:reopen", {}),
    ("post", "support:rate", {"rating": "1"}),
]


@pytest.mark.parametrize(("method", "name", "data"), ACTIONS)
def test_other_company_gets_404_and_nothing_changes(
    client, ticket_a, member_b, method, name, data, django_capture_on_commit_callbacks, mailoutbox
):
    before = snapshot(ticket_a)
    client.force_login(member_b)
    url = reverse(name, args=[ticket_a.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    assert snapshot(ticket_a) == before
    assert mailoutbox == []


def test_resolved_ticket_of_a_cannot_be_reopened_or_rated_by_b(client, ticket_a, member_b, staff):
    services.ticket_set_status(ticket=ticket_a, status=Ticket.Status.RESOLVED, by=staff)
    before = snapshot(ticket_a)
    client.force_login(member_b)
    for name, data in (("support:reopen", {}), ("support:rate", {"rating": "1"})):
        assert client.post(reverse(name, args=[ticket_a.public_id]), data).status_code == 404
    assert snapshot(ticket_a) == before


def test_other_company_cannot_download_or_list(client, ticket_a, member_b):
    client.force_login(member_b)
    for attachment in Attachment.objects.all():
        url = reverse("support:attachment", args=[ticket_a.public_id, attachment.public_id])
        assert client.get(url).status_code == 404
    assert ticket_a.number not in client.get(reverse("support:list")).content.decode()
    assert not AuditEntry.objects.filter(action="ticket.attachment_downloaded").exists()


def test_b_cannot_reach_a_attachment_through_its_own_ticket(client, ticket_a, company_b, member_b):
    own = services.ticket_open(company=company_b, user=member_b, subject="Al nostru", description="x")
    client.force_login(member_b)
    attachment = ticket_a.attachments.filter(message__isnull=True).get()
    assert client.get(reverse("support:attachment", args=[own.public_id, attachment.public_id])).status_code == 404


def test_b_cannot_reply_through_the_service_either(ticket_a, company_b, member_b):
    from django.core.exceptions import ObjectDoesNotExist

    with pytest.raises(ObjectDoesNotExist):
        services.ticket_reply(ticket=ticket_a, company=company_b, user=member_b, body="x")
    with pytest.raises(ObjectDoesNotExist):
        services.ticket_close(ticket=ticket_a, company=company_b, user=member_b)


def test_internal_note_is_not_on_the_page(client, ticket_a, admin_a):
    client.force_login(admin_a)
    page = client.get(ticket_a.get_absolute_url()).content.decode()
    assert "Verificăm cu transportatorul." in page
    assert SECRET not in page and "intern.pdf" not in page


def test_internal_note_attachment_cannot_be_downloaded(client, ticket_a, admin_a):
    internal = Attachment.objects.get(message__is_internal=True)
    client.force_login(admin_a)
    url = reverse("support:attachment", args=[ticket_a.public_id, internal.public_id])
    assert client.get(url).status_code == 404
    public = Attachment.objects.get(message__isnull=True)
    assert client.get(reverse("support:attachment", args=[ticket_a.public_id, public.public_id])).status_code == 200


def test_internal_note_is_never_emailed(
    company_a, admin_a, staff, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["suport@furnizor.ro"]
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_staff_message(ticket=ticket, user=staff, body=SECRET, is_internal=True)
    assert mailoutbox == []
    # The task refuses an internal note even if it were queued by mistake.
    from support.tasks import notify_ticket_message

    notify_ticket_message(Message.objects.get(is_internal=True).pk)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_staff_message(ticket=ticket, user=staff, body="Răspuns public")
        services.ticket_set_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=staff)
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert SECRET not in message.body and SECRET not in message.alternatives[0][0] and SECRET not in message.subject


def test_in_app_notifications_never_carry_internal_notes(ticket_a, admin_a):
    assert all(SECRET not in n.title for n in admin_a.notifications.all())
