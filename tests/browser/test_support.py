"""Support in Chromium: a client opens a ticket with an attachment, staff reply in admin, the client
answers, staff resolve it, the client rates it — desktop and phone, axe on every client page."""

import re

import pytest

from accounts.tests.factories import PASSWORD
from support.models import Ticket
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def staff_page(browser, live_server, staff):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label(re.compile("^Parol")).fill(PASSWORD)
    page.get_by_role("button", name="Logare").click()
    page.wait_for_load_state("load")
    return context, page


def _client_opens_a_ticket(visitor, mailoutbox) -> Ticket:
    page = visitor.page
    visitor.goto("/suport/")
    visitor.shot("support-empty")
    page.get_by_role("link", name="Tichet nou").first.click()
    visitor.check()
    page.get_by_label("Subiect").fill("Pompa CP-200 nu pornește <b>urgent</b>")
    page.get_by_label("Categorie").select_option("tehnic")
    page.get_by_label("Prioritate").select_option("ridicata")
    page.get_by_label("Descriere").fill("După revizie, pompa se oprește după 3 secunde.\nAm verificat alimentarea.")
    page.get_by_label("Atașamente").set_input_files(
        [{"name": "raport-revizie.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    visitor.shot("support-create")
    page.get_by_role("button", name="Trimite tichetul").click()
    visitor.check()
    ticket = Ticket.objects.get()
    assert page.get_by_text(f"Tichetul {ticket.number} a fost deschis").is_visible()
    assert page.get_by_text("Răspuns așteptat până la").is_visible()
    assert page.get_by_role("link", name=re.compile("raport-revizie.pdf")).is_visible()
    assert page.get_by_role("heading", name="Pompa CP-200 nu pornește <b>urgent</b>").is_visible()
    assert any("suport@furnizor.ro" in m.to for m in mailoutbox)
    return ticket


def _staff_reply_with_an_internal_note(admin, ticket, live_server, viewport):
    admin.goto(live_server.url + f"/admin/support/ticket/{ticket.pk}/change/")
    admin.locator("textarea[name='messages-2-0-body']").fill("Bună ziua! Verificați vă rog siguranța F3.")
    admin.locator("input[name=_continue]").click()
    admin.wait_for_load_state("load")
    admin.locator("textarea[name='messages-2-0-body']").fill("Notă: clientul are garanție până în iunie.")
    admin.locator("input[name='messages-2-0-is_internal']").check()
    admin.locator("input[name=_continue]").click()
    admin.wait_for_load_state("load")
    if viewport == "desktop":  # staff work on a desktop; one admin screenshot is enough
        admin.screenshot(path=str(visitor_dir() / "support-admin-ticket-desktop.png"), full_page=True)
    assert ticket.messages.count() == 2


def _client_answers(visitor, ticket):
    page = visitor.page
    visitor.goto(ticket.get_absolute_url())
    assert page.get_by_text("Verificați vă rog siguranța F3.").is_visible()
    assert page.get_by_text("garanție până în iunie").count() == 0
    page.get_by_label("Mesajul dvs.").fill("Siguranța era arsă; am înlocuit-o și pompa merge.")
    page.get_by_role("button", name="Trimite mesajul").click()
    visitor.check()
    assert page.get_by_text("Mesajul a fost trimis echipei de suport.").is_visible()
    visitor.shot("support-conversation")


def _staff_resolve_it_from_the_queue(admin, ticket, live_server, viewport):
    admin.goto(live_server.url + "/admin/support/ticket/?sla=in_termen")
    admin.locator(f"input[name=_selected_action][value='{ticket.pk}']").check()
    admin.locator("select[name=action]").select_option("mark_resolved")
    admin.get_by_role("button", name=re.compile("^(Start|Execută|Go|Rulează)$")).click()
    admin.wait_for_load_state("load")
    assert "rezolvat" in admin.locator("ul.messagelist").inner_text()
    if viewport == "desktop":
        admin.screenshot(path=str(visitor_dir() / "support-admin-queue-desktop.png"), full_page=True)


def _client_rates_the_resolution(visitor, ticket):
    page = visitor.page
    visitor.goto(ticket.get_absolute_url())
    assert page.get_by_role("heading", name="Evaluați rezolvarea").is_visible()
    page.get_by_label("5 — foarte mulțumit").check()
    page.get_by_label("Comentariu (opțional)").fill("Rapid și clar, mulțumim!")
    page.get_by_role("button", name="Trimite evaluarea").click()
    visitor.check()
    assert page.get_by_text("Vă mulțumim pentru evaluare!").is_visible()
    assert page.get_by_role("button", name="Redeschide tichetul").is_visible()
    visitor.shot("support-rated")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == (Ticket.Status.RESOLVED, 5)


def test_ticket_from_opening_to_rating(visitor, browser, live_server, admin_a, staff, settings, mailoutbox):
    settings.STAFF_NOTIFICATION_EMAILS = ["suport@furnizor.ro"]
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)

    ticket = _client_opens_a_ticket(visitor, mailoutbox)

    # Staff answer in admin, with an internal note the client never sees.
    staff_context, admin = staff_page(browser, live_server, staff)
    _staff_reply_with_an_internal_note(admin, ticket, live_server, visitor.viewport)

    _client_answers(visitor, ticket)

    # Staff resolve it from the queue.
    _staff_resolve_it_from_the_queue(admin, ticket, live_server, visitor.viewport)
    staff_context.close()

    _client_rates_the_resolution(visitor, ticket)

    visitor.goto("/suport/")
    assert page.get_by_role("link", name=ticket.number).is_visible()
    visitor.shot("support-list")


def visitor_dir():
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
