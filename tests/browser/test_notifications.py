"""The notification list in both languages: notifications made by Romanian tasks read in the reader's language."""

import pytest
from django.conf import settings
from django.utils import timezone, translation

from portal.models import Notification
from portal.notifications import notify
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTIFICATIONS = [
    ("offer.sent", "offer.sent", {"number": "OF-2026-0042"}),
    ("shipment.delivered", "shipment.delivered", {"number": "EXP-2026-0007"}),
    ("ticket.updated", "ticket.status", {"number": "T-2026-0031", "status": "rezolvat"}),
    ("invoice.reminder", "invoice.due", {"invoice": "FV 1024", "date": "2026-03-15"}),
    ("project.milestone", "project.milestone", {"milestone": "Recepție linia 2", "project": "Modernizare hală"}),
]


def test_the_list_reads_in_the_chosen_language(visitor, admin_a, company_a):
    with translation.override("ro"):  # as the tasks make them
        made = [
            notify(user=admin_a, company=company_a, kind=kind, message=message, params=params, url="/")
            for kind, message, params in NOTIFICATIONS
        ]
    Notification.objects.filter(pk__in=[n.pk for n in made[2:]]).update(read_at=timezone.now())
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)

    visitor.goto("/notificari/")
    assert page.get_by_role("button", name="Expedierea EXP-2026-0007 a fost livrată").is_visible()
    visitor.shot("notifications-ro")

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": visitor.base_url}])
    visitor.goto("/notificari/")
    for name in (
        "New offer: OF-2026-0042",
        "Shipment EXP-2026-0007 has been delivered",
        "Ticket T-2026-0031: resolved",
        "Invoice FV 1024 is due on 15.03.2026",
        "Milestone reached: Recepție linia 2 (Modernizare hală)",
    ):
        assert page.get_by_role("button", name=name).is_visible()
    assert "Ofertă nouă" not in page.content()
    visitor.shot("notifications-en")
