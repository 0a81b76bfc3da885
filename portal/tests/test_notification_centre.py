from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, NotificationPreference
from portal.notifications import notify, send_digest, send_to_user_once
from portal.topics import Delivery, Topic, topic_of


@pytest.mark.parametrize(
    ("name", "topic"),
    [
        ("offer.sent", Topic.OFFERS),
        ("quotes_offer_sent", Topic.OFFERS),
        ("document.new", Topic.DOCUMENTS),
        ("document_new", Topic.DOCUMENTS),
        ("contract_expiring", Topic.CONTRACTS),
        ("invoice.overdue", Topic.BILLING),
        ("ticket.updated", Topic.SUPPORT),
        ("shipment.delivered", Topic.SHIPMENTS),
        ("project.milestone", Topic.PROJECTS),
        ("membership_approved", None),
        ("invitation", None),
    ],
)
def test_topic_of(name, topic):
    assert topic_of(name) == topic


def offer_sent(user, company, number: str, url: str = "/oferte/"):
    return notify(
        user=user, company=company, kind="offer.sent", message="offer.sent", params={"number": number}, url=url
    )


def email_about_a_contract(user, key="k1"):
    from contracts.tests.factories import ContractFactory

    contract = ContractFactory()
    return send_to_user_once(
        key=key,
        user=user,
        template="contract_expiring",
        context={"contract": contract, "notice": type("N", (), {"days_before": 30})(), "url": "/contracte/"},
    )


def test_immediate_by_default(admin_a, mailoutbox):
    assert email_about_a_contract(admin_a)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("delivery", [Delivery.DIGEST, Delivery.NEVER])
def test_digest_or_never_holds_the_email(admin_a, mailoutbox, delivery):
    NotificationPreference.objects.create(user=admin_a, topic=Topic.CONTRACTS, delivery=delivery)
    assert not email_about_a_contract(admin_a)
    assert mailoutbox == []


def test_account_emails_ignore_preferences(admin_a, company_a, mailoutbox):
    from accounts.models import Membership

    for topic in Topic:
        NotificationPreference.objects.create(user=admin_a, topic=topic, delivery=Delivery.NEVER)
    membership = Membership.objects.get(user=admin_a)
    assert send_to_user_once(
        key="approved",
        user=admin_a,
        template="membership_approved",
        context={"membership": membership, "login_url": "/"},
    )
    assert len(mailoutbox) == 1


def test_daily_digest_has_exactly_the_chosen_items_once_a_day(admin_a, member_a, company_a, mailoutbox):
    NotificationPreference.objects.create(user=admin_a, topic=Topic.OFFERS, delivery=Delivery.DIGEST)
    NotificationPreference.objects.create(user=admin_a, topic=Topic.DOCUMENTS, delivery=Delivery.DIGEST)
    NotificationPreference.objects.create(user=admin_a, topic=Topic.PROJECTS, delivery=Delivery.NEVER)
    offer_sent(admin_a, company_a, "OF-12")
    notify(
        user=admin_a,
        company=company_a,
        kind="document.new",
        message="document.new",
        params={"title": "Manual"},
        url="/fisiere/",
    )
    notify(
        user=admin_a,
        company=company_a,
        kind="project.milestone",
        message="project.milestone",
        params={"milestone": "Recepție", "project": "Linia 2"},
        url="/proiecte/",
    )
    notify(
        user=admin_a,
        company=company_a,
        kind="ticket.updated",
        message="ticket.reply",
        params={"number": "T-7"},
        url="/suport/",
    )
    offer_sent(member_a, company_a, "OF-MIHAI")
    old = offer_sent(admin_a, company_a, "OF-OLD")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))

    today = timezone.localdate()
    assert send_digest(user=admin_a, day=today)
    assert not send_digest(user=admin_a, day=today)
    assert not send_digest(user=member_a, day=today)
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Ofertă nouă: OF-12" in body and "Document nou: Manual" in body
    assert "Jalon atins" not in body and "T-7" not in body
    assert "OF-MIHAI" not in body and "OF-OLD" not in body
    assert mailoutbox[0].to == [admin_a.email]


def test_next_digest_starts_after_the_last_one(admin_a, company_a, mailoutbox):
    NotificationPreference.objects.create(user=admin_a, topic=Topic.OFFERS, delivery=Delivery.DIGEST)
    offer_sent(admin_a, company_a, "OF-FIRST")
    today = timezone.localdate()
    send_digest(user=admin_a, day=today)
    offer_sent(admin_a, company_a, "OF-SECOND")
    send_digest(user=admin_a, day=today + timedelta(days=1))
    assert "OF-FIRST" not in mailoutbox[1].body and "OF-SECOND" in mailoutbox[1].body


def test_digest_task_fans_out(admin_a, company_a, mailoutbox, django_capture_on_commit_callbacks):
    from portal.tasks import send_daily_digests

    NotificationPreference.objects.create(user=admin_a, topic=Topic.OFFERS, delivery=Delivery.DIGEST)
    offer_sent(admin_a, company_a, "OF-1")
    # Enqueued like every task (on commit, outbox if the broker is down).
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_digests()
    assert len(mailoutbox) == 1


def test_bell_counts_unread_of_the_current_company(client, admin_a, company_a, company_b):
    offer_sent(admin_a, company_a, "A1")
    offer_sent(admin_a, company_a, "A2")
    offer_sent(admin_a, company_b, "B1")
    client.force_login(admin_a)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert '>2<span class="visually-hidden"> necitite' in page


def test_open_marks_read_and_follows_the_link(client, admin_a, company_a):
    notification = offer_sent(admin_a, company_a, "OF-1", url="/fisiere/")
    client.force_login(admin_a)
    response = client.post(reverse("portal:notification_open", args=[notification.public_id]))
    assert response["Location"] == "/fisiere/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_never_redirects_off_site(client, admin_a, company_a):
    notification = offer_sent(admin_a, company_a, "OF-1", url="https://evil.example/")
    client.force_login(admin_a)
    response = client.post(reverse("portal:notification_open", args=[notification.public_id]))
    assert response["Location"] == reverse("portal:notifications")


def test_mark_all_read_touches_only_mine(client, admin_a, member_a, company_a):
    offer_sent(admin_a, company_a, "a")
    theirs = offer_sent(member_a, company_a, "b")
    client.force_login(admin_a)
    client.post(reverse("portal:notifications_read_all"))
    assert not Notification.objects.filter(user=admin_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_settings_save_and_billing_hidden_without_the_right(client, member_a, admin_a):
    client.force_login(member_a)
    page = client.get(reverse("portal:notification_settings")).content.decode()
    assert "Facturi și plăți" not in page
    data = {**dict.fromkeys(Topic.values, "immediate"), "offers": "digest", "support": "never"}
    client.post(reverse("portal:notification_settings"), data)
    assert dict(NotificationPreference.objects.filter(user=member_a).values_list("topic", "delivery")) == {
        "offers": "digest",
        "support": "never",
    }
    client.force_login(admin_a)
    assert "Facturi și plăți" in client.get(reverse("portal:notification_settings")).content.decode()


def test_list_runs_fixed_queries(client, admin_a, company_a, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(3):
        offer_sent(admin_a, company_a, f"n{i}")
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:notifications"))
    for i in range(80):
        offer_sent(admin_a, company_a, f"m{i}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("portal:notifications"))
    assert "Pagina 1 din 3" in response.content.decode()
