"""Notifications are written in the reader's language when shown, whatever language created them."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from portal.models import Notification, NotificationPreference
from portal.notification_messages import label_msgid
from portal.notifications import notify, send_digest
from portal.topics import Delivery, Topic

pytestmark = pytest.mark.django_db


def created_in_romanian(user, company, message: str, params: dict, **fields) -> Notification:
    with translation.override("ro"):
        return notify(user=user, company=company, kind="offer.sent", message=message, params=params, **fields)


def text_in(language: str, notification: Notification) -> str:
    with translation.override(language):
        return notification.text


def test_the_list_page_writes_a_romanian_made_notification_in_english(client, admin_a, company_a):
    created_in_romanian(admin_a, company_a, "offer.sent", {"number": "OF-2026-0077"}, url="/oferte/")
    client.force_login(admin_a)

    romanian = client.get(reverse("portal:notifications")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("portal:notifications")).content.decode()

    assert "Ofertă nouă: OF-2026-0077" in romanian
    assert "New offer: OF-2026-0077" in english and "Ofertă nouă" not in english


def test_the_digest_is_written_in_the_recipient_language(admin_a, company_a, mailoutbox):
    admin_a.language = "en"
    admin_a.save(update_fields=["language"])
    NotificationPreference.objects.create(user=admin_a, topic=Topic.OFFERS, delivery=Delivery.DIGEST)
    created_in_romanian(admin_a, company_a, "offer.revised", {"number": "OF-2026-0078", "revision": 2})

    with translation.override("ro"):
        assert send_digest(user=admin_a, day=timezone.localdate())

    [email] = mailoutbox
    assert "Revised offer: OF-2026-0078, revision 2" in email.body
    assert "Revised offer: OF-2026-0078, revision 2" in email.alternatives[0][0]
    assert "Ofertă revizuită" not in email.body


def test_the_offer_task_run_in_romanian_writes_to_an_english_member_in_english(
    client, admin_a, member_a, company_a, mailoutbox
):
    from quotes.tasks import notify_offer_sent
    from quotes.tests.factories import sent_offer

    member_a.language = "en"
    member_a.save(update_fields=["language"])
    offer = sent_offer(company_a)
    with translation.override("ro"):
        notify_offer_sent(offer.pk)

    [email] = [m for m in mailoutbox if m.to == [member_a.email]]
    assert f"Offer {offer.number} is ready" in email.subject
    notification = Notification.objects.get(user=member_a)
    # Stored as a message, not as text in anybody's language: each reader gets their own.
    assert (notification.message, notification.params["number"]) == ("offer.sent", offer.number)
    client.force_login(member_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert f"New offer: {offer.number}" in client.get(reverse("portal:notifications")).content.decode()
    assert text_in("ro", Notification.objects.get(user=admin_a)) == f"Ofertă nouă: {offer.number}"


def test_labels_dates_and_plurals_follow_the_reader(admin_a, company_a):
    status = created_in_romanian(
        admin_a, company_a, "ticket.status", {"number": "T-12", "status": label_msgid(gettext_lazy("închis"))}
    )
    due = created_in_romanian(admin_a, company_a, "invoice.due", {"invoice": "FV 12", "date": "2026-03-15"})
    one = created_in_romanian(admin_a, company_a, "invoice.archive_ready", {"count": 1})
    many = created_in_romanian(admin_a, company_a, "invoice.archive_ready", {"count": 3})

    assert status.params["status"] == "închis"
    assert (text_in("ro", status), text_in("en", status)) == ("Tichetul T-12: închis", "Ticket T-12: closed")
    assert text_in("en", due) == "Invoice FV 12 is due on 15.03.2026"
    assert text_in("en", one) == "The archive with 1 invoice (PDF and XML) is ready to download."
    assert text_in("en", many) == "The archive with 3 invoices (PDF and XML) is ready to download."
    assert text_in("ro", many) == "Arhiva cu 3 facturi (PDF și XML) este gata de descărcat."


def test_every_message_renders_through_gettext_in_the_reader_language(admin_a, company_a, monkeypatch):
    """Whatever the English catalogue holds yet: the text is looked up in the active language at display."""
    notification = created_in_romanian(admin_a, company_a, "shipment.failed", {"number": "EXP-9"})
    looked_up = []

    def fake_gettext(text):
        looked_up.append((translation.get_language(), text))
        return "«" + text + "»"

    monkeypatch.setattr(translation._trans, "gettext", fake_gettext)
    with translation.override("en"):
        assert notification.text == "«Livrarea expedierii %(number)s a eșuat»".replace("%(number)s", "EXP-9")
    assert looked_up == [("en", "Livrarea expedierii %(number)s a eșuat")]


def test_a_row_without_a_known_message_shows_its_stored_text(admin_a, company_a):
    legacy = Notification.objects.create(user=admin_a, company=company_a, kind="offer.sent", title="Ofertă veche")
    wrong_params = Notification.objects.create(
        user=admin_a, company=company_a, kind="offer.sent", title="Text salvat", message="offer.sent", params={}
    )
    assert text_in("en", legacy) == "Ofertă veche" == str(legacy)
    assert text_in("en", wrong_params) == "Text salvat"


def test_notify_refuses_an_unknown_message_or_missing_parameters(admin_a, company_a):
    with pytest.raises(ValueError):
        notify(user=admin_a, company=company_a, kind="offer.sent", message="offer.unknown", params={})
    with pytest.raises(ValueError):
        notify(user=admin_a, company=company_a, kind="offer.sent", message="invoice.due", params={"invoice": "FV 1"})
    assert not Notification.objects.exists()


def test_the_key_still_notifies_once(admin_a, company_a):
    first = created_in_romanian(admin_a, company_a, "offer.sent", {"number": "OF-1"}, key="offer-sent:1")
    again = created_in_romanian(
        admin_a, company_a, "offer.revised", {"number": "OF-1", "revision": 2}, key="offer-sent:1"
    )
    assert first == again and Notification.objects.count() == 1
    assert again.message == "offer.sent"


def test_the_admin_shows_the_rendered_text(client, staff, admin_a, company_a):
    notification = created_in_romanian(admin_a, company_a, "document.new", {"title": "Fișă tehnică"})
    client.force_login(staff)
    listing = client.get(reverse("admin:portal_notification_changelist")).content.decode()
    detail = client.get(reverse("admin:portal_notification_change", args=[notification.pk])).content.decode()
    assert "Document nou: Fișă tehnică" in listing and "Document nou: Fișă tehnică" in detail
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "New document: Fișă tehnică" in client.get(reverse("admin:portal_notification_changelist")).content.decode()


# --- the data migration ---------------------------------------------------------------------------------

MIGRATION = importlib.import_module("portal.migrations.0007_notification_message_params")


@pytest.mark.parametrize(
    ("kind", "title", "message", "params"),
    [
        ("offer.sent", "Ofertă nouă: OF-2026-0005", "offer.sent", {"number": "OF-2026-0005"}),
        ("offer.sent", "Revised offer: OF-7, revision 3", "offer.revised", {"number": "OF-7", "revision": 3}),
        ("ticket.updated", "Ticket T-3: closed", "ticket.status", {"number": "T-3", "status": "închis"}),
        ("ticket.updated", "Tichetul T-3: în lucru", "ticket.status", {"number": "T-3", "status": "în lucru"}),
        (
            "invoice.reminder",
            "Factura FV 12 este scadentă pe 15.03.2026",
            "invoice.due",
            {"invoice": "FV 12", "date": "2026-03-15"},
        ),
        (
            "invoice.archive_ready",
            "Arhiva cu 1 factură (PDF și XML) este gata de descărcat.",
            "invoice.archive_ready",
            {"count": 1},
        ),
        (
            "account.data_export",
            "Your personal data export is ready: download it within 7 days.",
            "account.data_export",
            {"days": 7},
        ),
        (
            "membership.requested",
            "Ana Pop cere acces la Agroserv SRL",
            "membership.requested",
            {"name": "Ana Pop", "company": "Agroserv SRL"},
        ),
    ],
)
def test_the_migration_reads_the_message_back_from_a_legacy_title(admin_a, company_a, kind, title, message, params):
    legacy = Notification.objects.create(user=admin_a, company=company_a, kind=kind, title=title)

    MIGRATION.read_messages_from_titles(apps, None)

    legacy.refresh_from_db()
    assert (legacy.message, legacy.params) == (message, params)
    # Read back, the message writes the very title again in the language it was written in.
    assert title in (text_in("ro", legacy), text_in("en", legacy))


def test_the_migration_keeps_what_it_cannot_read(admin_a, company_a):
    unreadable = [
        ("offer.sent", "Ofertă nouă OF-12"),  # no colon: not a text the portal wrote
        ("ticket.updated", "Tichetul T-1: pierdut"),  # no such status
        ("invoice.reminder", "Factura FV 1 este scadentă pe 2026-03-15"),  # not the date format written
        ("test", "Necitită"),  # a kind without messages
    ]
    rows = [Notification.objects.create(user=admin_a, company=company_a, kind=k, title=t) for k, t in unreadable]

    MIGRATION.read_messages_from_titles(apps, None)
    MIGRATION.read_messages_from_titles(apps, None)  # a second run changes nothing

    for row, (_kind, title) in zip(rows, unreadable, strict=True):
        row.refresh_from_db()
        assert (row.message, row.params) == ("", {})
        assert text_in("en", row) == title
