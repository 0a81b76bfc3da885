"""Every Celery task run twice with the same arguments has one effect.

Celery redelivers a task when a worker dies before acknowledging it (acks_late), when the broker's
visibility timeout passes, or when the outbox re-sends it: the second run must send no email, make no
notification, store no PDF and write no row that the first did not. For each task the test builds
what it needs, runs it (with its on-commit callbacks), takes a snapshot of every table, the mail
outbox and the stored files, runs it again and compares.
"""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from celery import current_app
from django.apps import apps
from django.core import mail
from django.utils import timezone

PROJECT_APPS = (
    "portal",
    "accounts",
    "files",
    "quotes",
    "projects",
    "billing",
    "contracts",
    "support",
    "shipments",
    "integrations",
)
for _app in PROJECT_APPS:  # what the worker's autodiscovery imports
    importlib.import_module(f"{_app}.tasks")


def snapshot() -> dict:
    counts = {
        model._meta.label: model._default_manager.count()
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }
    counts["mail.outbox"] = len(mail.outbox)
    return counts


# --- what each task needs; each builder returns the task's arguments -------------------------------------


def _pending(cast):
    from accounts.models import Membership

    return [Membership.objects.get(user=cast["pending_user"]).pk]


def _active(cast):
    from accounts.models import Membership

    return [Membership.objects.get(user=cast["member_a"]).pk]


def _invitation(cast):
    from accounts import services

    invitation, token = services.invitation_create(
        company=cast["company_a"],
        by=cast["admin_a"],
        email="nou@client-a.ro",
        role="membru",
        can_accept_offers=False,
        can_see_billing=False,
    )
    return [invitation.pk, token]


def _invoice(cast):
    from billing.tests.factories import issued_invoice

    return issued_invoice(cast["company_a"], lines=[("1000.00", 21)], issue_date=timezone.localdate())


def _archive(cast):
    from billing import services

    invoice = _invoice(cast)
    archive = services.archive_request(
        company=invoice.company, user=cast["admin_a"], public_ids=[str(invoice.public_id)], date_from=None, date_to=None
    )
    return [archive.pk]


def _statement_export(cast):
    from billing import services

    invoice = _invoice(cast)
    export = services.statement_export_request(
        company=invoice.company,
        user=cast["admin_a"],
        date_from=invoice.issue_date,
        date_to=invoice.issue_date,
        currency=invoice.currency,
        fmt="csv",
    )
    return [export.pk]


def _list_export(cast):
    from billing import services

    invoice = _invoice(cast)
    export = services.list_export_request(
        company=invoice.company, user=cast["admin_a"], kind="invoice", fmt="xlsx", filters={}
    )
    return [export.pk]


def _overdue_invoice(cast):
    from billing.tests.factories import issued_invoice

    today = timezone.localdate()
    return issued_invoice(
        cast["company_a"],
        lines=[("1000.00", 21)],
        issue_date=today - timedelta(days=31),
        due_date=today - timedelta(days=1),
    )


def _reminders_due(cast):
    _overdue_invoice(cast)
    return []


def _reminder(cast):
    from billing.models import InvoiceReminder

    invoice = _overdue_invoice(cast)
    return [InvoiceReminder.objects.create(invoice=invoice, stage=1, due_date=invoice.due_date).pk]


def _notice(cast, *, confirmed=False):
    from billing import services
    from files.tests.factories import pdf_upload

    notice = services.notice_create(
        company=cast["company_a"],
        user=cast["admin_a"],
        paid_on=timezone.localdate(),
        amount=Decimal("1210.00"),
        currency="RON",
        reference="OP 99",
        proof=pdf_upload(),
        invoices=[_invoice(cast)],
    )
    if confirmed:
        services.notice_confirm(notice=notice, by=cast["staff"])
    return [notice.pk]


def _expiring_contract(cast):
    from contracts.tests.factories import ContractFactory

    end = timezone.localdate() + timedelta(days=5)
    return ContractFactory(company=cast["company_a"], end_date=end, current_end_date=end)


def _notices_due(cast):
    _expiring_contract(cast)
    return []


def _expiry_notice(cast):
    from contracts.models import ExpiryNotice

    contract = _expiring_contract(cast)
    return [ExpiryNotice.objects.create(contract=contract, days_before=7, end_date=contract.current_end_date).pk]


def _document_version(cast):
    from files.tests.factories import DocumentFactory, add_version

    document = DocumentFactory(company=cast["company_a"])
    return [add_version(document, user=cast["admin_a"]).pk]


def _digest_setup(cast):
    from portal.models import NotificationPreference
    from portal.notifications import notify
    from portal.topics import Delivery

    NotificationPreference.objects.create(user=cast["admin_a"], topic="offers", delivery=Delivery.DIGEST)
    notify(
        user=cast["admin_a"],
        company=cast["company_a"],
        kind="offer.sent",
        message="offer.sent",
        params={"number": "OF-1"},
        key="digest-test",
    )


def _digests(cast):
    _digest_setup(cast)
    return []


def _user_digest(cast):
    _digest_setup(cast)
    return [cast["admin_a"].pk, timezone.localdate().isoformat()]


def _pending_task(cast):
    from portal.models import PendingTask

    PendingTask.objects.create(task="accounts.tasks.send_membership_approved", args=_active(cast))
    return []


def _rendered_email(cast):
    from django.core.mail import EmailMultiAlternatives

    from portal.notifications import store_rendered

    message = EmailMultiAlternatives(
        "Resetarea parolei",
        "Link: https://portal/cont/password/reset/key/x/",
        "portal@furnizor.ro",
        [cast["member_a"].email],
    )
    message.attach_alternative("<p>Link</p>", "text/html")
    return [store_rendered(message=message, template="account/email/password_reset_key").pk]


def _milestone(cast):
    from projects.models import Task
    from projects.tests.factories import TaskFactory

    return [TaskFactory(project__company=cast["company_a"], is_milestone=True, status=Task.Status.DONE).pk]


def _project(cast):
    from projects.tests.factories import ProjectFactory, TaskFactory

    project = ProjectFactory(company=cast["company_a"])
    TaskFactory(project=project, is_milestone=True)
    return [project.pk, 4242]


def _comment(cast, *, staff=False):
    from projects.tests.factories import CommentFactory

    return [CommentFactory(project__company=cast["company_a"], author=cast["staff"] if staff else cast["admin_a"]).pk]


def _quote_request(cast, *, cancelled=False):
    from quotes.models import QuoteRequest
    from quotes.tests.factories import QuoteRequestFactory

    fields = {"status": QuoteRequest.Status.CANCELLED} if cancelled else {}
    return [QuoteRequestFactory(company=cast["company_a"], created_by=cast["admin_a"], **fields).pk]


def _offer(cast, **fields):
    from quotes.tests.factories import OfferFactory

    return OfferFactory(company=cast["company_a"], **fields)


def _decided_offer(cast):
    from quotes.models import Offer

    return [_offer(cast, status=Offer.Status.ACCEPTED, decided_by=cast["admin_a"], decided_at=timezone.now()).pk]


def _expired_offer(cast):
    _offer(cast, valid_until=timezone.localdate() - timedelta(days=1))
    return []


def _shipment(cast):
    from shipments.tests.factories import ShipmentFactory

    shipment = ShipmentFactory(company=cast["company_a"])
    type(shipment).objects.filter(pk=shipment.pk).update(status="livrata")
    return [shipment.pk, "delivered"]


def _ticket(cast):
    from support.tests.factories import TicketFactory

    return TicketFactory(company=cast["company_a"], opened_by=cast["admin_a"])


def _staff_message(cast):
    from support.tests.factories import MessageFactory

    return [MessageFactory(ticket=_ticket(cast), author=cast["staff"], from_staff=True).pk]


def _client_message(cast):
    from support.tests.factories import MessageFactory

    return [MessageFactory(ticket=_ticket(cast), author=cast["admin_a"]).pk]


def _status_change(cast, *, by_staff=True):
    from support.models import StatusChange

    ticket = _ticket(cast)
    return [
        StatusChange.objects.create(
            ticket=ticket,
            from_status="deschis",
            to_status="rezolvat",
            by=cast["staff"] if by_staff else cast["admin_a"],
            by_staff=by_staff,
        ).pk
    ]


def _webhook_delivery(cast, *, due=False):
    from integrations.models import WebhookDelivery
    from integrations.tests.factories import closed_port_url, webhook_endpoint

    endpoint, _secret = webhook_endpoint(url=closed_port_url())  # refused: the try fails and is rescheduled
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="5b0c2f7e-1d1a-4d8e-8f7a-3c2b1a0e9d8c",
        event="offer.accepted",
        payload={"id": "5b0c2f7e-1d1a-4d8e-8f7a-3c2b1a0e9d8c", "event": "offer.accepted", "data": {}},
        next_attempt_at=timezone.now() - timedelta(minutes=1),
    )
    return [] if due else [delivery.pk]


def _data_export(cast):
    from accounts import privacy

    return [privacy.export_request(user=cast["admin_a"]).pk]


def _retention_due(cast):
    from portal.models import Notification

    Notification.objects.create(
        user=cast["admin_a"], kind="offer.sent", title="Ofertă nouă", read_at=timezone.now() - timedelta(days=400)
    )
    return []


# (task name, builder, what the first run must produce: a table label or "mail.outbox"; "-label": a table
# the first run must shrink, for a task that deletes)
CASES = [
    ("accounts.tasks.build_data_export", _data_export, "portal.Notification"),
    ("accounts.tasks.notify_staff_of_registration", _pending, "mail.outbox"),
    ("accounts.tasks.notify_admins_of_join_request", _pending, "portal.Notification"),
    ("accounts.tasks.send_membership_approved", _active, "mail.outbox"),
    ("accounts.tasks.send_membership_rejected", _active, "mail.outbox"),
    ("accounts.tasks.send_invitation", _invitation, "mail.outbox"),
    ("billing.tasks.render_invoice_pdf", lambda c: [_invoice(c).pk], "files.StoredFile"),
    ("billing.tasks.render_invoice_pdf", lambda c: [_invoice(c).pk, True], "files.StoredFile"),
    ("billing.tasks.render_invoice_xml", lambda c: [_invoice(c).pk], "files.StoredFile"),
    ("billing.tasks.invoices_issued", lambda c: [[_invoice(c).pk]], "files.StoredFile"),
    ("billing.tasks.build_invoice_archive", _archive, "files.StoredFile"),
    ("billing.tasks.build_statement_export", _statement_export, "files.StoredFile"),
    ("billing.tasks.build_list_export", _list_export, "files.StoredFile"),
    ("billing.tasks.notify_invoice_issued", lambda c: [_invoice(c).pk], "portal.Notification"),
    ("billing.tasks.send_invoice_reminders", _reminders_due, "billing.InvoiceReminder"),
    ("billing.tasks.send_invoice_reminder_emails", _reminder, "mail.outbox"),
    ("billing.tasks.notify_payment_notice_staff", _notice, "mail.outbox"),
    ("billing.tasks.notify_payment_notice_decided", lambda c: _notice(c, confirmed=True), "mail.outbox"),
    ("contracts.tasks.send_expiry_notices", _notices_due, "contracts.ExpiryNotice"),
    ("contracts.tasks.send_expiry_notice_emails", _expiry_notice, "mail.outbox"),
    ("files.tasks.notify_new_document_version", _document_version, "portal.Notification"),
    ("portal.tasks.send_daily_digests", _digests, "mail.outbox"),
    ("portal.tasks.send_user_digest", _user_digest, "mail.outbox"),
    ("portal.tasks.retry_pending_tasks", _pending_task, "mail.outbox"),
    ("portal.tasks.send_rendered_email", _rendered_email, "mail.outbox"),
    ("portal.tasks.apply_retention", _retention_due, "-portal.Notification"),
    ("projects.tasks.notify_milestone_reached", _milestone, "portal.Notification"),
    ("projects.tasks.notify_milestone_schedule", _project, "portal.Notification"),
    ("projects.tasks.notify_manager_of_comment", _comment, "mail.outbox"),
    ("projects.tasks.notify_client_of_reply", lambda c: _comment(c, staff=True), "portal.Notification"),
    ("quotes.tasks.notify_staff_of_request", _quote_request, "mail.outbox"),
    ("quotes.tasks.notify_staff_of_cancellation", lambda c: _quote_request(c, cancelled=True), "mail.outbox"),
    ("quotes.tasks.render_offer_pdf", lambda c: [_offer(c).pk], "files.StoredFile"),
    ("quotes.tasks.notify_offer_sent", lambda c: [_offer(c).pk], "portal.Notification"),
    ("quotes.tasks.notify_offer_decided", _decided_offer, "files.StoredFile"),
    ("quotes.tasks.render_order_confirmation", _decided_offer, "files.StoredFile"),
    ("quotes.tasks.expire_offers", _expired_offer, "portal.AuditEntry"),
    ("shipments.tasks.send_status_notice", _shipment, "portal.Notification"),
    ("support.tasks.notify_ticket_opened", lambda c: [_ticket(c).pk], "mail.outbox"),
    ("support.tasks.notify_ticket_message", _staff_message, "portal.Notification"),
    ("support.tasks.notify_ticket_message", _client_message, "mail.outbox"),
    ("support.tasks.notify_status_change", _status_change, "portal.Notification"),
    ("support.tasks.notify_status_change", lambda c: _status_change(c, by_staff=False), "mail.outbox"),
    ("integrations.tasks.deliver_webhook", _webhook_delivery, "integrations.WebhookAttempt"),
    ("integrations.tasks.retry_webhooks", lambda c: _webhook_delivery(c, due=True), "integrations.WebhookAttempt"),
]


@pytest.fixture
def cast(company_a, admin_a, member_a, pending_user, staff):
    return {
        "company_a": company_a,
        "admin_a": admin_a,
        "member_a": member_a,
        "pending_user": pending_user,
        "staff": staff,
    }


def run(task, args, capture) -> None:
    # Callbacks registered while callbacks run (a task enqueueing another) run too.
    with capture(execute=True):
        task.apply(args=args, throw=True)


@pytest.mark.parametrize(
    ("name", "build", "effect"),
    CASES,
    ids=[f"{name.split('.', 1)[0]}.{name.rsplit('.', 1)[1]}-{i}" for i, (name, _b, _e) in enumerate(CASES)],
)
def test_a_task_run_twice_has_one_effect(name, build, effect, cast, mailoutbox, django_capture_on_commit_callbacks):
    task = current_app.tasks[name]
    with django_capture_on_commit_callbacks(execute=False):
        args = build(cast)  # the services' own on-commit tasks do not run: only the task under test
    before = snapshot()
    run(task, args, django_capture_on_commit_callbacks)
    after_first = snapshot()
    table = effect.removeprefix("-")
    as_expected = after_first[table] < before[table] if effect.startswith("-") else after_first[table] > before[table]
    assert as_expected, f"{name} had no effect on {table}: the test proves nothing"
    sent_first = [(m.subject, tuple(m.to)) for m in mailoutbox]
    run(task, args, django_capture_on_commit_callbacks)
    changed = {label: (after_first[label], count) for label, count in snapshot().items() if count != after_first[label]}
    assert changed == {}, f"{name} run twice changed {changed}"
    assert [(m.subject, tuple(m.to)) for m in mailoutbox] == sent_first


def test_every_task_of_the_project_is_checked():
    project_tasks = {name for name in current_app.tasks if name.split(".", 1)[0] in PROJECT_APPS}
    assert project_tasks == {name for name, _build, _effect in CASES}
