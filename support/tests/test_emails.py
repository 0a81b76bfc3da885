"""Who is emailed when, in which language, once."""

import pytest

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory
from support import services, tasks
from support.models import StatusChange, Ticket

XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def staff_addresses(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["suport@furnizor.ro"]
    settings.SITE_URL = "https://portal.example.ro"


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def test_staff_are_told_of_a_new_ticket(company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_open(
            company=company_a,
            user=admin_a,
            subject="Imprimanta etichete",
            description="Nu tipărește.",
            priority=Ticket.Priority.URGENT,
        )
    assert recipients(mailoutbox) == ["suport@furnizor.ro"]
    message = mailoutbox[0]
    assert ticket.number in message.subject and "urgentă" in message.subject and company_a.name in message.subject
    assert "Nu tipărește." in message.body
    assert f"/admin/support/ticket/{ticket.pk}/change/" in message.body
    tasks.notify_ticket_opened(ticket.pk)
    assert len(mailoutbox) == 1


def test_client_reply_goes_to_staff_and_the_assignee(
    company_a, admin_a, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    services.ticket_assign(ticket=ticket, assignee=staff, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_reply(ticket=ticket, company=company_a, user=admin_a, body="Am revenit cu detalii.")
    assert recipients(mailoutbox) == sorted(["suport@furnizor.ro", staff.email])
    assert all("Am revenit cu detalii." in m.body for m in mailoutbox)
    tasks.notify_ticket_message(message.pk)
    assert len(mailoutbox) == 2


def test_staff_reply_goes_to_the_opener_and_colleagues_who_wrote(
    company_a, admin_a, member_a, staff, mailoutbox, django_capture_on_commit_callbacks
):
    silent = MembershipFactory(company=company_a).user
    left = MembershipFactory(company=company_a).user
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    services.ticket_reply(ticket=ticket, company=company_a, user=member_a, body="Și eu am observat.")
    services.ticket_reply(ticket=ticket, company=company_a, user=left, body="La fel.")
    Membership.objects.filter(user=left).update(status=Membership.Status.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_staff_message(ticket=ticket, user=staff, body="Am înlocuit senzorul.")
    assert recipients(mailoutbox) == sorted([admin_a.email, member_a.email])
    assert silent.email not in recipients(mailoutbox)
    assert all("Am înlocuit senzorul." in m.body and ticket.get_absolute_url() in m.body for m in mailoutbox)
    assert admin_a.notifications.filter(kind="ticket.updated").count() == 1
    tasks.notify_ticket_message(message.pk)
    assert len(mailoutbox) == 2 and admin_a.notifications.count() == 1


def test_status_change_by_staff_emails_the_client_in_their_language(
    company_a, admin_a, staff, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    from portal import notifications

    languages = []
    render = notifications.render_email
    monkeypatch.setattr(
        notifications,
        "render_email",
        lambda template, context, language: languages.append(language) or render(template, context, language),
    )
    admin_a.language = "en"
    admin_a.save()
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_set_status(ticket=ticket, status=Ticket.Status.WAITING, by=staff)
    assert recipients(mailoutbox) == [admin_a.email] and languages == ["en"]
    change = StatusChange.objects.get(to_status=Ticket.Status.WAITING)
    tasks.notify_status_change(change.pk)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("status", [Ticket.Status.WAITING, Ticket.Status.RESOLVED])
def test_a_staff_reply_that_changes_the_status_sends_one_email_that_says_both(
    company_a, admin_a, staff, mailoutbox, django_capture_on_commit_callbacks, status
):
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="Senzor", description="D")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_staff_message(ticket=ticket, user=staff, body="Am schimbat senzorul.", status=status)
    ticket.refresh_from_db()
    assert ticket.status == status and ticket.first_responded_at
    change = StatusChange.objects.get(ticket=ticket, to_status=status)
    assert change.by == staff and change.by_staff
    [email] = mailoutbox
    label = str(Ticket.Status(status).label)
    assert email.to == [admin_a.email] and ticket.number in email.subject and label in email.subject
    html = email.alternatives[0][0]
    for part in (email.body, html):
        assert "Am schimbat senzorul." in part and f"Tichetul este acum: {label}." in part
        assert f"https://portal.example.ro{ticket.get_absolute_url()}" in part
    assert admin_a.notifications.filter(kind="ticket.updated").count() == 1
    tasks.notify_ticket_message(message.pk, change.pk)  # a redelivered task
    assert len(mailoutbox) == 1


def test_a_reply_with_the_status_the_reply_sets_anyway_is_a_plain_reply(
    company_a, admin_a, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_staff_message(ticket=ticket, user=staff, body="Preluat.", status=Ticket.Status.IN_PROGRESS)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    [email] = mailoutbox
    assert "Tichetul este acum" not in email.body


def test_client_close_and_reopen_tell_staff_not_the_client(
    company_a, admin_a, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_close(ticket=ticket, company=company_a, user=admin_a)
        services.ticket_reopen(ticket=ticket, company=company_a, user=admin_a)
    assert recipients(mailoutbox) == ["suport@furnizor.ro", "suport@furnizor.ro"]
    assert "închis" in mailoutbox[0].subject and "deschis" in mailoutbox[1].subject


def test_automatic_status_moves_send_no_status_email(
    company_a, admin_a, staff, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = services.ticket_open(company=company_a, user=admin_a, subject="S", description="D")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_staff_message(ticket=ticket, user=staff, body="Preluat.")  # deschis → în lucru
    assert len(mailoutbox) == 1 and "Răspuns la tichetul" in mailoutbox[0].subject


def test_user_text_is_escaped_in_html_emails(company_a, admin_a, staff, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_open(company=company_a, user=admin_a, subject=XSS, description=XSS)
        services.ticket_staff_message(ticket=ticket, user=staff, body=XSS)
        services.ticket_reply(ticket=ticket, company=company_a, user=admin_a, body=XSS)
        services.ticket_set_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=staff)
    assert len(mailoutbox) == 4
    for message in mailoutbox:
        html = message.alternatives[0][0]
        assert XSS not in html and "&lt;script&gt;" in html
        assert XSS in message.body  # plain text stays readable, it is not HTML
