"""Faults: the broker (Redis) down, the cache (Redis) down, SMTP down, the database gone mid-use,
a worker killed mid-task. The user's data is committed or not at all, and every email or PDF is
delivered exactly once when the service is back. See docs/RELIABILITY.md."""

import smtplib
from decimal import Decimal
from unittest import mock

import pytest
from celery.app.task import Task
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts import services as account_services
from accounts.models import Invitation
from billing import services as billing_services
from billing.models import Payment, PaymentNotice
from billing.tests.factories import issued_invoice
from conftest import require
from files.models import StoredFile
from files.tests.factories import pdf_upload
from portal.models import AuditEntry, OutboundEmail, PendingTask
from portal.notifications import send_once
from quotes import services as quote_services
from quotes.models import Offer
from quotes.tests.factories import OfferFactory
from support import services as support_services
from support.models import Ticket


def broker_down():
    return mock.patch.object(Task, "apply_async", side_effect=BrokerError("Error 111 connecting to redis:6379."))


# --- Redis (the broker) stopped -------------------------------------------------------------------------


def test_accepting_an_offer_with_the_broker_down_commits_and_delivers_later(
    client, company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    offer = OfferFactory(company=company_a)
    client.force_login(admin_a)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quotes:offer_accept", args=[offer.public_id]), follow=True)
    assert response.status_code == 200
    assert "a fost acceptată" in response.content.decode()  # true: the decision is saved
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert sorted(PendingTask.objects.values_list("task", "args")) == [
        ("quotes.tasks.notify_offer_decided", [offer.pk]),
        ("quotes.tasks.render_order_confirmation", [offer.pk]),
    ]
    assert mailoutbox == [] and offer.pdf_id is None and offer.confirmation_pdf_id is None

    with broker_down():  # still down: kept, attempts counted
        call_command("retry_pending_tasks", stdout=mock.Mock())
    assert PendingTask.objects.count() == 2 and max(PendingTask.objects.values_list("attempts", flat=True)) == 1

    call_command("retry_pending_tasks", stdout=mock.Mock())  # Redis back
    offer.refresh_from_db()
    assert PendingTask.objects.count() == 0
    assert len(mailoutbox) == 1 and offer.pdf_id is not None and offer.confirmation_pdf_id is not None
    call_command("retry_pending_tasks", stdout=mock.Mock())
    assert len(mailoutbox) == 1 and StoredFile.objects.filter(company=company_a).count() == 2


def test_an_invitation_sent_with_the_broker_down_arrives_once_redis_is_back(
    company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        invitation, token = account_services.invitation_create(
            company=company_a,
            by=admin_a,
            email="nou@client-a.ro",
            role="membru",
            can_accept_offers=False,
            can_see_billing=False,
        )
    assert Invitation.objects.filter(pk=invitation.pk).exists() and mailoutbox == []
    assert PendingTask.objects.get().args == [invitation.pk, token]
    from portal.tasks import retry_pending_tasks

    assert retry_pending_tasks.apply().get() == 1
    assert [m.to for m in mailoutbox] == [["nou@client-a.ro"]]
    assert token in mailoutbox[0].body


def test_the_outbox_is_retried_by_celery_beat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["retry-pending-tasks"]["task"] == "portal.tasks.retry_pending_tasks"


# --- Redis (the cache) stopped ---------------------------------------------------------------------------

DEAD_REDIS = {
    "default": {
        "BACKEND": "portal.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:9/1",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_login_and_pages_work_with_the_cache_down(client, admin_a):
    with override_settings(CACHES=DEAD_REDIS):
        from django.core.cache import cache

        assert cache.get("x", "default") == "default" and cache.add("x", 1) is True
        assert client.get(reverse("account_login")).status_code == 200
        response = client.post(reverse("account_login"), {"login": admin_a.email, "password": "wrong-password"})
        assert response.status_code == 200  # a form error, not a 500
        admin_a.set_password("Parola-buna-2026")
        admin_a.save()
        response = client.post(reverse("account_login"), {"login": admin_a.email, "password": "Parola-buna-2026"})
        assert response.status_code == 302
        assert client.get(reverse("dashboard:home")).status_code == 200


def test_cache_and_broker_use_separate_redis_databases():
    import subprocess
    import sys

    code = (
        "from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'], "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.CELERY_TASK_TIME_LIMIT)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings", "REDIS_URL": "redis://redis:6379/0", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    broker, cache_url, visibility, time_limit = out
    assert broker == "redis://redis:6379/0" and cache_url == "redis://redis:6379/1"
    assert int(visibility) > int(time_limit)


# --- SMTP unavailable ------------------------------------------------------------------------------------


def test_email_tasks_retry_with_backoff_and_send_once(company_a, admin_a, member_a, mailoutbox):
    from celery import current_app

    from accounts.models import Membership
    from accounts.tasks import send_membership_approved

    assert send_membership_approved.autoretry_for == (smtplib.SMTPException, OSError)
    assert send_membership_approved.retry_backoff and send_membership_approved.max_retries >= 5
    membership = Membership.objects.get(user=member_a)
    real_send = mail.EmailMultiAlternatives.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(self, *args, **kwargs)

    propagates = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False  # eager retries run at once instead of raising
    try:
        with mock.patch.object(mail.EmailMultiAlternatives, "send", flaky):
            result = send_membership_approved.apply(args=[membership.pk], throw=False)
    finally:
        current_app.conf.task_eager_propagates = propagates
    assert result.successful()
    assert len(calls) == 3 and len(mailoutbox) == 1
    assert OutboundEmail.objects.get(key__startswith=f"membership-approved:{membership.pk}").sent_at is not None


def test_smtp_down_past_every_retry_keeps_the_email_in_the_outbox(company_a, member_a, mailoutbox):
    from celery import current_app

    from accounts.models import Membership
    from accounts.tasks import send_membership_approved

    membership = Membership.objects.get(user=member_a)
    propagates = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False
    try:
        with mock.patch.object(mail.EmailMultiAlternatives, "send", side_effect=ConnectionRefusedError()):
            result = send_membership_approved.apply(args=[membership.pk], throw=False)
    finally:
        current_app.conf.task_eager_propagates = propagates
    assert result.failed() and mailoutbox == []
    assert list(PendingTask.objects.values_list("task", "args")) == [
        ("accounts.tasks.send_membership_approved", [membership.pk])
    ]
    call_command("retry_pending_tasks", stdout=mock.Mock())  # SMTP back
    assert len(mailoutbox) == 1 and PendingTask.objects.count() == 0


def test_a_failed_send_rolls_back_so_the_retry_sends_once(db, mailoutbox):
    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", side_effect=ConnectionRefusedError()),
        pytest.raises(ConnectionRefusedError),
    ):
        send_once(key="k1", to="a@client.ro", template="membership_rejected", context={"membership": None})
    assert not OutboundEmail.objects.filter(key="k1", sent_at__isnull=False).exists()


# --- PostgreSQL down or restarted ------------------------------------------------------------------------


def test_a_database_outage_answers_a_clear_503_page(admin_a):
    client = Client(raise_request_exception=False)
    client.force_login(admin_a)
    with mock.patch("dashboard.selectors.cards", side_effect=OperationalError("server closed the connection")):
        response = client.get(reverse("dashboard:home"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "indisponibil pentru scurt timp" in response.content.decode()
    assert client.get(reverse("dashboard:home")).status_code == 200


@pytest.mark.postgres
def test_the_app_recovers_after_postgres_drops_every_connection(transactional_db, live_server, admin_a, client):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    import urllib.error
    import urllib.request

    import psycopg2

    client.force_login(admin_a)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    def get() -> int:
        url = live_server.url + reverse("dashboard:home")
        request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - http://127.0.0.1
        try:
            return urllib.request.urlopen(request, timeout=20).status  # noqa: S310 - http://127.0.0.1
        except urllib.error.HTTPError as error:
            return error.code

    assert get() == 200
    params = connection.get_connection_params()
    killer = psycopg2.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}}
    )
    killer.autocommit = True
    with killer.cursor() as cursor:  # what a PostgreSQL restart does to the portal's connections
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    killer.close()
    statuses = [get() for _ in range(3)]
    assert 500 not in statuses, statuses
    assert statuses[-1] == 200, statuses  # recovered without a restart
    connection.close()


def test_a_failure_mid_service_leaves_no_half_written_offer(company_a, admin_a):
    offer = OfferFactory(company=company_a)
    with (
        mock.patch.object(quote_services.audit, "record", side_effect=OperationalError("connection lost")),
        pytest.raises(OperationalError),
    ):
        quote_services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT and offer.decided_at is None
    assert not AuditEntry.objects.filter(action="offer.accepted").exists()


def test_a_failure_mid_service_leaves_no_half_written_payment(company_a, admin_a, staff):
    invoice = issued_invoice(company_a, lines=[("1000.00", 21)])
    notice = billing_services.notice_create(
        company=company_a,
        user=admin_a,
        paid_on=timezone.localdate(),
        amount=Decimal("1210.00"),
        currency="RON",
        reference="OP 5",
        proof=pdf_upload(),
        invoices=[invoice],
    )
    original = billing_services.notices.audit.record

    def fail_on_confirm(**kwargs):
        if kwargs["action"] == "payment_notice.confirmed":  # after the payment row and its allocation
            raise OperationalError("connection lost")
        return original(**kwargs)

    with mock.patch.object(billing_services.notices.audit, "record", fail_on_confirm), pytest.raises(OperationalError):
        billing_services.notice_confirm(notice=notice, by=staff)
    notice.refresh_from_db()
    invoice.refresh_from_db()
    assert notice.status == PaymentNotice.Status.PENDING and notice.payment_id is None
    assert Payment.objects.count() == 0 and invoice.amount_paid == 0


def test_a_failure_mid_service_leaves_no_half_written_ticket(company_a, admin_a):
    with (
        mock.patch.object(support_services.audit, "record", side_effect=OperationalError("connection lost")),
        pytest.raises(OperationalError),
    ):
        support_services.ticket_open(
            company=company_a, user=admin_a, subject="Pompa nu pornește", description="Se oprește după câteva secunde."
        )
    assert Ticket.objects.count() == 0


# --- a worker killed mid-task ----------------------------------------------------------------------------


def test_a_task_redelivered_after_a_crash_produces_one_pdf_and_one_email(
    company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks, settings
):
    """SIGKILL after the side effect, before the ack: with acks_late and reject_on_worker_lost the
    broker hands the same message to another worker, which runs the same task again."""
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    from quotes.tasks import notify_offer_decided

    offer = OfferFactory(company=company_a, status=Offer.Status.ACCEPTED, decided_by=admin_a, decided_at=timezone.now())
    notify_offer_decided.apply(args=[offer.pk], throw=True)  # the run that was killed before its ack
    notify_offer_decided.apply(args=[offer.pk], throw=True)  # the redelivery
    assert len(mailoutbox) == 1 and StoredFile.objects.filter(company=company_a).count() == 1
