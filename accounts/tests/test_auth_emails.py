"""Every allauth email (verification, password reset, two-factor, email change) goes through the
queue: rendered in the request in the recipient's language, sent by a task after commit, retried
while SMTP is down, sent once. SMTP down never turns signup or a password reset into a 500."""

import smtplib
from contextlib import contextmanager
from unittest import mock

import pytest
from celery import current_app
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.test_registration import signup_data
from portal.models import OutboundEmail, PendingTask
from portal.tasks import send_rendered_email


@contextmanager
def smtp_down(error=None):
    """The mail server refuses; tasks run as a worker would (a failure is not raised into the request)."""
    propagates = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False
    try:
        with mock.patch.object(
            EmailBackend,
            "send_messages",
            side_effect=error or smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        ):
            yield
    finally:
        current_app.conf.task_eager_propagates = propagates


def smtp_back_and_retry():
    call_command("retry_pending_tasks", stdout=mock.Mock())


@pytest.mark.django_db
@pytest.mark.parametrize("error", [smtplib.SMTPServerDisconnected("closed"), ConnectionRefusedError(111, "refused")])
def test_signup_with_smtp_down_answers_as_usual_and_the_verification_email_follows_once(
    mailoutbox, django_capture_on_commit_callbacks, error
):
    client = Client(raise_request_exception=False)
    with smtp_down(error), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="ioana@firma-noua.ro").exists()
    assert mailoutbox == []
    record = OutboundEmail.objects.get(to="ioana@firma-noua.ro")
    assert record.sent_at is None and "/cont/confirm-email/" in record.text
    assert list(PendingTask.objects.values_list("task", "args")) == [("portal.tasks.send_rendered_email", [record.pk])]

    smtp_back_and_retry()
    smtp_back_and_retry()
    assert [message.to for message in mailoutbox] == [["ioana@firma-noua.ro"]]
    assert "/cont/confirm-email/" in mailoutbox[0].body
    record.refresh_from_db()
    assert record.sent_at is not None and record.text == "" and record.html == ""  # no link kept once sent


@pytest.mark.django_db
def test_password_reset_with_smtp_down_answers_as_usual_and_the_email_follows_once(
    member_a, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client(raise_request_exception=False)
    with smtp_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": member_a.email})
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
    assert mailoutbox == [] and PendingTask.objects.count() == 1

    smtp_back_and_retry()
    smtp_back_and_retry()
    [message] = mailoutbox
    assert message.to == [member_a.email] and "/cont/password/reset/key/" in message.body


@pytest.mark.django_db
def test_a_stored_email_is_sent_once_however_often_its_task_runs(
    member_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_reset_password"), {"email": member_a.email})
    record = OutboundEmail.objects.get(to=member_a.email)
    assert len(mailoutbox) == 1
    assert send_rendered_email.apply(args=[record.pk]).get() is False  # a redelivered task
    assert len(mailoutbox) == 1


def test_the_email_task_retries_with_backoff_while_smtp_is_down():
    assert send_rendered_email.autoretry_for == (smtplib.SMTPException, OSError)
    assert send_rendered_email.retry_backoff and send_rendered_email.max_retries >= 5


@pytest.mark.django_db
def test_a_flaky_smtp_server_gets_the_email_on_a_retry(member_a, mailoutbox, django_capture_on_commit_callbacks):
    real_send = EmailBackend.send_messages
    calls = []

    def flaky(self, messages):
        calls.append(1)
        if len(calls) < 3:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, messages)

    propagates = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False
    try:
        with mock.patch.object(EmailBackend, "send_messages", flaky), django_capture_on_commit_callbacks(execute=True):
            Client().post(reverse("account_reset_password"), {"email": member_a.email})
    finally:
        current_app.conf.task_eager_propagates = propagates
    assert len(calls) == 3 and len(mailoutbox) == 1 and PendingTask.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "greeting"), [("ro", "Bună ziua,"), ("en", "Hello,")])
def test_the_email_is_rendered_in_the_recipient_s_language(
    member_a, mailoutbox, django_capture_on_commit_callbacks, language, greeting
):
    member_a.language = language
    member_a.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_reset_password"), {"email": member_a.email})
    [message] = mailoutbox
    assert message.subject.startswith("[Portal clienți] ")
    assert message.body.startswith(greeting) and greeting in message.alternatives[0][0]


@pytest.mark.django_db
def test_signing_up_in_english_gives_an_english_account(mailoutbox, django_capture_on_commit_callbacks, settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    assert User.objects.get(email="ioana@firma-noua.ro").language == "en"
    [message] = mailoutbox
    assert message.body.startswith("Hello,")


@pytest.mark.django_db
def test_adding_email_addresses_is_rate_limited_per_account(
    client, member_a, mailoutbox, settings, django_capture_on_commit_callbacks
):
    """Each new address gets its own confirmation email (allauth's confirm_email limit is per address),
    so the limit that stops an account from mailing any number of strangers is manage_email, per user."""
    settings.ACCOUNT_REAUTHENTICATION_REQUIRED = False
    client.force_login(member_a)
    statuses = []
    for n in range(8):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_email"), {"action_add": "", "email": f"strain{n}@exemplu.ro"})
        statuses.append(response.status_code)
    assert statuses[:5] == [302] * 5 and set(statuses[5:]) == {429}, statuses
    assert len(mailoutbox) == 5
    # Another account is not held back by this one.
    other = Client()
    other.force_login(User.objects.create_user("altul@client-a.ro"))
    with django_capture_on_commit_callbacks(execute=True):
        response = other.post(reverse("account_email"), {"action_add": "", "email": "strain9@exemplu.ro"})
    assert response.status_code == 302
