"""Overdue reminders: each stage once per invoice, to the billing users, never for a paid invoice."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory
from billing import services
from billing.models import InvoiceReminder
from billing.tasks import send_invoice_reminder_emails
from billing.tests.factories import credit_note, issued_invoice, record_payment


def today():
    return timezone.localdate()


@pytest.fixture
def billing_people(company_a, admin_a, member_a, settings):
    settings.BILLING_REMINDER_STAGES = [-3, 1, 15]
    settings.BILLING_REMINDER_GRACE_DAYS = 7
    accountant = MembershipFactory(company=company_a, can_see_billing=True, user__email="contabil@client-a.ro").user
    MembershipFactory(
        company=company_a, can_see_billing=True, status=Membership.Status.PENDING, user__email="nou@client-a.ro"
    )
    return {"admin": admin_a, "accountant": accountant, "plain": member_a}


def run(days_from_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_invoice_reminders(today=today() + timedelta(days=days_from_now))


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def test_each_stage_is_sent_once_to_the_billing_users(
    company_a, billing_people, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = issued_invoice(company_a, series="REM", number=7, due_date=today() + timedelta(days=3))
    assert run(0, django_capture_on_commit_callbacks) == 1  # 3 days before
    assert recipients(mailoutbox) == ["admin.a@client-a.ro", "contabil@client-a.ro"]
    assert "REM 7" in mailoutbox[0].subject and "scadentă" in mailoutbox[0].subject
    assert run(0, django_capture_on_commit_callbacks) == 0
    assert run(1, django_capture_on_commit_callbacks) == 0
    assert run(4, django_capture_on_commit_callbacks) == 1  # 1 day after
    assert "restantă de 1 zi" in mailoutbox[-1].subject
    assert run(5, django_capture_on_commit_callbacks) == 0
    assert run(18, django_capture_on_commit_callbacks) == 1  # 15 days after
    call_command("send_invoice_reminders", stdout=StringIO())
    assert run(30, django_capture_on_commit_callbacks) == 0
    assert sorted(invoice.reminders.values_list("stage", flat=True)) == [-3, 1, 15]
    assert len(mailoutbox) == 6
    assert billing_people["admin"].notifications.filter(kind="invoice.reminder").count() == 3
    assert not billing_people["plain"].notifications.exists()


def test_never_for_a_paid_or_cancelled_invoice(
    company_a, billing_people, mailoutbox, django_capture_on_commit_callbacks
):
    paid = issued_invoice(company_a, due_date=today() - timedelta(days=1))
    record_payment(company_a, "1210.00", invoices=[paid])
    cancelled = issued_invoice(company_a, due_date=today() - timedelta(days=1))
    credit_note(cancelled, lines=[("-1", "1000.00", 21)])
    assert run(0, django_capture_on_commit_callbacks) == 0
    assert not InvoiceReminder.objects.exists() and mailoutbox == []


def test_a_payment_between_recording_and_sending_stops_the_email(company_a, billing_people, mailoutbox):
    invoice = issued_invoice(company_a, due_date=today() - timedelta(days=1))
    services.send_invoice_reminders()  # recorded; the email task not run yet
    record_payment(company_a, "1210.00", invoices=[invoice])
    send_invoice_reminder_emails(InvoiceReminder.objects.get(stage=1).pk)
    assert mailoutbox == []


def test_the_email_task_twice_sends_once(company_a, billing_people, mailoutbox):
    issued_invoice(company_a, due_date=today() - timedelta(days=1))
    services.send_invoice_reminders()
    reminder = InvoiceReminder.objects.get(stage=1)
    send_invoice_reminder_emails(reminder.pk)
    send_invoice_reminder_emails(reminder.pk)
    assert len(mailoutbox) == 2


def test_missed_stages_are_recorded_not_sent_late(
    company_a, billing_people, mailoutbox, django_capture_on_commit_callbacks
):
    # Issued with the due date already 2 days past: the +1 stage only; -3 is recorded as passed.
    invoice = issued_invoice(company_a, due_date=today() - timedelta(days=2))
    assert run(0, django_capture_on_commit_callbacks) == 1
    assert sorted(invoice.reminders.values_list("stage", flat=True)) == [-3, 1]
    assert len(mailoutbox) == 2 and "restantă de 1 zi" in mailoutbox[0].subject
    # Long forgotten invoices (an import of history) get no reminder at all.
    issued_invoice(company_a, issue_date=today() - timedelta(days=200), due_date=today() - timedelta(days=120))
    assert run(0, django_capture_on_commit_callbacks) == 0


def test_the_email_speaks_the_recipients_language(
    company_a, billing_people, mailoutbox, django_capture_on_commit_callbacks
):
    accountant = billing_people["accountant"]
    accountant.language = "en"
    accountant.save()
    issued_invoice(company_a, due_date=today() - timedelta(days=1))
    run(0, django_capture_on_commit_callbacks)
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert "Bună ziua" in bodies["admin.a@client-a.ro"]
    assert "/facturi/" in bodies["contabil@client-a.ro"]
