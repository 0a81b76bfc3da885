"""The staff queue: filters, the conversation with internal notes, replies and actions through the services."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from support import services
from support.models import Ticket
from support.tests.factories import TicketFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def staff_addresses(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["suport@furnizor.ro"]


@pytest.fixture
def ticket(company_a, admin_a):
    return services.ticket_open(
        company=company_a,
        user=admin_a,
        subject="Senzor defect",
        description="Eroare E42.",
        attachments=[SimpleUploadedFile("poza.pdf", PDF)],
    )


def change_url(ticket):
    return reverse("admin:support_ticket_change", args=[ticket.pk])


def form_data(client, ticket, **changes):
    """The change form as the browser posts it (hidden inputs, ticket fields), plus ``changes``."""
    page = client.get(change_url(ticket)).content.decode()
    data = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and "__prefix__" not in name.group(1) and name.group(1) != "csrfmiddlewaretoken":
            data[name.group(1)] = value.group(1) if value else ""
    data.update(
        {
            "subject": ticket.subject,
            "category": ticket.category,
            "priority": ticket.priority,
            "status": ticket.status,
            "assigned_to": ticket.assigned_to_id or "",
            "messages-2-0-body": "",
        }
    )
    data.update(changes)
    return data


def test_queue_filters_and_columns(client, staff, company_a):
    now = timezone.now()
    TicketFactory(company=company_a, subject="LATE-ONE", first_response_due=now - timedelta(hours=1))
    TicketFactory(company=company_a, subject="FINE-ONE", assigned_to=staff)
    TicketFactory(company=company_a, subject=XSS)
    client.force_login(staff)
    url = reverse("admin:support_ticket_changelist")
    page = client.get(url).content.decode()
    assert "LATE-ONE" in page and "depășit" in page and XSS not in page
    late = client.get(url, {"sla": "depasit"}).content.decode()
    assert "LATE-ONE" in late and "FINE-ONE" not in late
    assert "FINE-ONE" not in client.get(url, {"sla": "raspuns"}).content.decode()
    mine = client.get(url, {"responsabil": "eu"}).content.decode()
    assert "FINE-ONE" in mine and "LATE-ONE" not in mine
    assert "LATE-ONE" in client.get(url, {"responsabil": "niciunul"}).content.decode()
    assert "LATE-ONE" in client.get(url, {"status": "deschis", "priority": "normala", "o": "-8"}).content.decode()


def test_change_form_shows_notes_escaped(client, staff, ticket, admin_a):
    services.ticket_staff_message(ticket=ticket, user=staff, body=XSS, is_internal=True)
    services.ticket_reply(ticket=ticket, company=ticket.company, user=admin_a, body=XSS)
    Ticket.objects.filter(pk=ticket.pk).update(subject=XSS, description=XSS)
    client.force_login(staff)
    page = client.get(change_url(ticket)).content.decode()
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "notă internă" in page and "poza.pdf" in page


def test_staff_reply_in_admin_goes_through_the_service(
    client, staff, ticket, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    data = form_data(
        client,
        ticket,
        **{
            "messages-2-0-body": "Am trimis un tehnician.",
            "messages-2-0-attachments": SimpleUploadedFile("deviz.pdf", PDF),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(ticket), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ticket.refresh_from_db()
    message = ticket.messages.get()
    assert message.from_staff and not message.is_internal and message.author == staff
    assert message.attachments.get().file.original_name == "deviz.pdf"
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.first_responded_at
    assert [m.to for m in mailoutbox] == [[admin_a.email]]


def test_internal_note_in_admin_emails_nobody(client, staff, ticket, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(staff)
    data = form_data(client, ticket, **{"messages-2-0-body": "Doar pentru noi.", "messages-2-0-is_internal": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(ticket), data).status_code == 302
    assert ticket.messages.get().is_internal
    assert mailoutbox == []
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.first_responded_at is None


def test_reply_then_status_assignment_and_priority_in_one_save(
    client, staff, ticket, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    data = form_data(
        client,
        ticket,
        **{
            "messages-2-0-body": "Ce serie are aparatul?",
            "status": Ticket.Status.WAITING,
            "assigned_to": staff.pk,
            "priority": Ticket.Priority.URGENT,
            "subject": "Senzor defect (E42)",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(ticket), data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_to, ticket.priority, ticket.subject) == (
        Ticket.Status.WAITING,
        staff,
        Ticket.Priority.URGENT,
        "Senzor defect (E42)",
    )
    assert ticket.first_response_due == ticket.created_at + timedelta(hours=2)
    # One email says both: the reply and the new status.
    [email] = mailoutbox
    assert "Răspuns la tichetul" in email.subject and "așteaptă" in email.subject
    assert "Ce serie are aparatul?" in email.body and "Tichetul este acum: așteaptă" in email.body
    assert "Echipa de suport așteaptă răspunsul dvs." in email.alternatives[0][0]


def test_internal_note_with_a_status_change_emails_only_the_status(
    client, staff, ticket, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    data = form_data(
        client,
        ticket,
        **{"messages-2-0-body": "Doar pentru noi.", "messages-2-0-is_internal": "on", "status": Ticket.Status.RESOLVED},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(ticket), data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    [email] = mailoutbox
    assert "rezolvat" in email.subject and "Doar pentru noi." not in email.body


def test_actions_call_the_services(client, staff, ticket, admin_a, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(staff)
    url = reverse("admin:support_ticket_changelist")
    client.post(url, {"action": "assign_to_me", "_selected_action": [ticket.pk]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "mark_resolved", "_selected_action": [ticket.pk]})
    ticket.refresh_from_db()
    assert ticket.assigned_to == staff and ticket.status == Ticket.Status.RESOLVED and ticket.resolved_at
    assert [m.to for m in mailoutbox] == [[admin_a.email]]
    response = client.post(url, {"action": "mark_resolved", "_selected_action": [ticket.pk]}, follow=True)
    assert "deja rezolvat" in response.content.decode()


def test_staff_download_attachments_in_admin(client, staff, admin_a, ticket):
    attachment = ticket.attachments.get()
    url = reverse("admin:support_attachment_download", args=[attachment.pk])
    client.force_login(admin_a)
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_subject_and_category_edits_go_through_the_service(client, staff, ticket, mailoutbox):
    from portal.models import AuditEntry

    client.force_login(staff)
    other_category = next(value for value in Ticket.Category.values if value != ticket.category)
    data = form_data(client, ticket, subject="Senzor E42 defect", category=other_category)
    assert client.post(change_url(ticket), data).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.category, ticket.status) == ("Senzor E42 defect", other_category, Ticket.Status.OPEN)
    entry = AuditEntry.objects.get(action="ticket.details_changed")
    assert entry.user == staff and entry.data == {"subject": "Senzor E42 defect", "category": other_category}
    assert mailoutbox == []
