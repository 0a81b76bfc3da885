"""Expedieri in Chromium, desktop and phone: staff dispatch in admin and add the carrier's "în tranzit"
event → the client sees it on the way with the timeline → staff mark it delivered → the client confirms
receipt (after the confirmation dialog); after a reported problem, receipt only "cu obiecțiuni"."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from shipments.models import Shipment
from shipments.tests.factories import CarrierFactory, ShipmentFactory, ShipmentItemFactory, add_event
from support.models import Ticket
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff_session(visitor, browser, live_server, staff):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ro-RO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/admin/")
    log_in(type(visitor)(page, live_server.url, "desktop"), staff.email)
    return context, page


def run_action(page, live_server, shipment, action: str) -> str:
    page.goto(live_server.url + reverse("admin:shipments_shipment_changelist"))
    page.locator(f"input[name=_selected_action][value='{shipment.pk}']").check()
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()  # Django's "Start"
    page.wait_for_load_state("load")
    return page.locator("ul.messagelist").inner_text()


def _staff_record_the_hub_scan(staff_page, live_server, shipment):
    staff_page.goto(live_server.url + reverse("admin:shipments_shipment_change", args=[shipment.pk]))
    staff_page.locator("#events-group .add-row a").click()
    # The hub scan comes after the dispatch (seconds ago), to the second.
    scan = timezone.localtime()
    row = staff_page.locator("tr.dynamic-events").last
    row.locator("input[name$='-occurred_at_0']").fill(scan.strftime("%d.%m.%Y"))
    row.locator("input[name$='-occurred_at_1']").fill(scan.strftime("%H:%M:%S"))
    row.locator("select[name$='-status']").select_option("in_tranzit")
    row.locator("input[name$='-place']").fill("Hub FAN Courier Ștefăneștii de Jos, Ilfov")
    staff_page.get_by_role("button", name="Salvați", exact=True).click()
    staff_page.wait_for_load_state("load")
    assert "a fost schimbat cu succes" in staff_page.locator("ul.messagelist").inner_text()
    assert Shipment.objects.get(pk=shipment.pk).status == "in_tranzit"


def _client_follows_it_on_the_way(visitor, email):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, email)
    visitor.goto(reverse("shipments:list"))
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name="EXP-2026-0142"))
    assert "în tranzit" in row.inner_text()
    visitor.shot("shipments-list-in-transit")
    row.get_by_role("link", name="EXP-2026-0142").click()
    visitor.check()
    timeline = page.locator(".shipment-timeline")
    assert timeline.locator("li").count() == 3
    assert "Hub FAN Courier Ștefăneștii de Jos" in timeline.locator("li").first.inner_text()
    assert [t.strip() for t in timeline.locator(".badge").all_inner_texts()] == ["în tranzit", "expediată", "pregătită"]
    link = page.get_by_role("link", name=re.compile("Urmăriți coletul la FAN Courier"))
    assert link.get_attribute("href") == "https://www.fancourier.ro/awb-tracking/?tracking=2150012345678"
    assert link.get_attribute("rel") == "noopener noreferrer" and link.get_attribute("target") == "_blank"
    assert page.get_by_role("button", name="Confirm primirea").count() == 0
    visitor.shot("shipments-detail-in-transit")


def _client_confirms_receipt(visitor, shipment, admin_a):
    page = visitor.page
    page.reload()
    visitor.check()
    assert page.locator("h1 + .badge").inner_text().strip() == "livrată"
    visitor.shot("shipments-detail-delivered")
    page.get_by_role("button", name="Confirm primirea").click()
    dialog = page.get_by_role("dialog", name="Confirmați că ați primit marfa în stare bună?")
    expect(dialog).to_contain_text(shipment.number)
    with page.expect_navigation():
        dialog.get_by_role("button", name="Confirm primirea în stare bună").click()
    page.wait_for_load_state("load")
    visitor.check()
    assert page.get_by_text("Ați confirmat primirea expedierii EXP-2026-0142").is_visible()
    assert page.get_by_text(re.compile("Primire confirmată de Ana Popescu")).is_visible()
    visitor.shot("shipments-detail-received")
    shipment.refresh_from_db()
    assert shipment.received_by == admin_a and shipment.received_at is not None


def test_staff_dispatch_client_follows_and_confirms_receipt(
    visitor, browser, live_server, staff, admin_a, company_a, mailoutbox
):
    fan = CarrierFactory()
    shipment = ShipmentFactory(
        company=company_a,
        number="EXP-2026-0142",
        carrier=fan,
        awb="2150012345678",
        delivery_address="Str. Găgeni nr. 100, Hala 3",
        delivery_city="Ploiești",
    )
    ShipmentItemFactory(shipment=shipment, product="Pompă centrifugală CP-200", quantity=2)
    add_event(shipment, "pregatita", hours_ago=20, place="Depozit furnizor, Chiajna")

    # 1. Staff hand it to the courier (admin action), then record the courier's hub scan in the inline.
    staff_context, staff_page = staff_session(visitor, browser, live_server, staff)
    assert "1 expediere marcată expediată." in run_action(staff_page, live_server, shipment, "mark_shipped")
    _staff_record_the_hub_scan(staff_page, live_server, shipment)

    # 2. The client sees it on the way, first in the list, with the timeline and the courier's link.
    _client_follows_it_on_the_way(visitor, admin_a.email)

    # 3. Staff mark it delivered; the client confirms receipt after the confirmation dialog.
    assert "1 expediere marcată livrată." in run_action(staff_page, live_server, shipment, "mark_delivered")
    staff_context.close()
    _client_confirms_receipt(visitor, shipment, admin_a)

    subjects = [m.subject for m in mailoutbox if m.to == [admin_a.email]]
    assert any("a plecat spre dvs." in s for s in subjects) and any("a fost livrată" in s for s in subjects)


def test_after_a_reported_problem_receipt_is_confirmed_only_with_objections(visitor, admin_a, company_a):
    """A damaged part: the client reports it (a support ticket opens), then the shipment page offers only
    "Confirm primirea cu obiecțiuni", which names and links that ticket; the receipt says so afterwards."""
    shipment = ShipmentFactory(company=company_a, number="EXP-2026-0139", carrier=CarrierFactory(), awb="2150077120139")
    ShipmentItemFactory(shipment=shipment, product="Senzor de presiune 0–16 bar", code="SP-16", quantity=3)
    add_event(shipment, "expediata", hours_ago=30, place="Depozit furnizor, Chiajna")
    add_event(shipment, "livrata", hours_ago=2, place="București, Sector 6")
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto(reverse("shipments:detail", args=[shipment.public_id]))
    assert page.get_by_role("button", name="Confirm primirea în stare bună").is_visible()

    # 1. The client reports the damaged part: a support ticket opens.
    page.get_by_role("link", name="Raportați o problemă").click()
    page.wait_for_load_state("load")
    visitor.check()
    page.get_by_label("Ce s-a întâmplat?").fill(
        "Un colet a sosit cu ambalajul rupt; senzorul SP-16 din el are carcasa fisurată."
    )
    page.get_by_role("button", name=re.compile("Trimite")).click()
    page.wait_for_load_state("load")
    visitor.check()
    shipment.refresh_from_db()
    ticket = Ticket.objects.get(public_id=shipment.problem_ticket_id)

    # 2. Back on the shipment: only "cu obiecțiuni" is offered, and it names and links the ticket.
    visitor.goto(reverse("shipments:detail", args=[shipment.public_id]))
    receipt = page.locator("section[aria-labelledby=receipt-title]")
    assert page.get_by_role("button", name="Confirm primirea în stare bună").count() == 0
    assert [text.strip() for text in receipt.get_by_role("button").all_inner_texts()] == [
        "Confirm primirea cu obiecțiuni"
    ]
    ticket_link = receipt.get_by_role("link", name=ticket.number)
    assert ticket_link.get_attribute("href") == reverse("support:detail", args=[ticket.public_id])
    visitor.shot("shipments-detail-objections-offered")
    receipt.get_by_role("button", name="Confirm primirea cu obiecțiuni").click()
    dialog = page.get_by_role("dialog", name="Confirmați primirea cu obiecțiuni?")
    expect(dialog).to_contain_text(f"Obiecțiunile rămân în tichetul {ticket.number}.")
    with page.expect_navigation():
        dialog.get_by_role("button", name="Confirm primirea cu obiecțiuni").click()
    page.wait_for_load_state("load")
    visitor.check()
    assert page.get_by_text("Ați confirmat primirea expedierii EXP-2026-0139 cu obiecțiuni.").is_visible()
    assert page.get_by_text(re.compile("Primire confirmată cu obiecțiuni de Ana Popescu")).is_visible()
    visitor.shot("shipments-detail-received-with-objections")
    shipment.refresh_from_db()
    assert shipment.receipt_kind == "with_objections" and shipment.received_by == admin_a

    # 3. The receipt's link leads to the ticket.
    page.get_by_role("link", name=f"Obiecțiunile: tichetul {ticket.number}").click()
    page.wait_for_load_state("load")
    visitor.check()
    assert page.url.endswith(reverse("support:detail", args=[ticket.public_id]))
    assert "Problemă la livrarea EXP-2026-0139" in page.locator("h1").inner_text()
