"""The confirmation dialog of <form data-confirm> (templates/base.html, static/js/portal.js) and submit buttons
that cannot be pressed twice, in Chromium at desktop and phone width, with axe on the open dialog."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from portal.money import format_money
from quotes.models import Offer
from quotes.tests.factories import sent_offer
from support.models import Message
from support.tests.factories import TicketFactory
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 120


def tab_to(page, target):
    """Press Tab until the keyboard focus is on target, as a keyboard-only visitor would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def wait_until(page, condition, seconds: float = 5):
    """Poll condition; waiting lets Playwright run its route handlers meanwhile."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    assert condition()


def logged_in(visitor, user):
    visitor.goto("/cont/login/")
    log_in(visitor, user.email)


def test_an_offer_is_accepted_with_the_keyboard_only(visitor, admin_a, company_a, staff):
    offer = sent_offer(company_a, by=staff)
    page = visitor.page
    logged_in(visitor, admin_a)
    visitor.goto(f"/oferte/{offer.public_id}/")
    tab_to(page, page.get_by_role("link", name="Acceptă oferta"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/oferte/{offer.public_id}/accepta/$"))
    visitor.check()
    amount = page.locator("dt:text-is('Total cu TVA') + dd").inner_text().strip()
    assert re.search(r"\d,\d\d", amount), amount

    tab_to(page, page.get_by_role("button", name="Confirm acceptarea"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Acceptați oferta {offer.number}?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(offer.number)
    expect(dialog).to_contain_text(amount)
    expect(dialog).to_contain_text("nu poate fi anulată")
    confirm = dialog.get_by_role("button", name="Acceptă oferta")
    expect(confirm).to_be_focused()
    visitor.check()  # axe with the dialog open
    visitor.shot("dialogs-accept-offer")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT  # nothing happens before the dialog is confirmed

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/oferte/{offer.public_id}/$"))
    visitor.check()
    expect(page.get_by_text(f"Oferta {offer.number} a fost acceptată")).to_be_visible()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.decided_by == admin_a


def test_rejecting_asks_first_escape_cancels_and_focus_returns(visitor, admin_a, company_a, staff):
    offer = sent_offer(company_a, by=staff)
    page = visitor.page
    logged_in(visitor, admin_a)
    visitor.goto(f"/oferte/{offer.public_id}/")
    page.locator("summary", has_text="Respinge oferta").click()
    page.locator("textarea[name=reason]").fill("Termenul de livrare este prea lung.")
    reject = page.get_by_role("button", name="Confirm respingerea")
    reject.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Respingeți oferta {offer.number}?")
    expect(dialog).to_be_visible()
    with translation.override("ro"):
        expect(dialog).to_contain_text(f"{format_money(offer.total_gross, offer.currency)} cu TVA")
    expect(dialog.get_by_role("button", name="Respinge oferta")).to_be_focused()
    visitor.check()
    visitor.shot("dialogs-reject-offer")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(reject).to_be_focused()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.SENT

    # "Renunță" cancels too; the dialog's own button rejects, with the reason typed on the page.
    reject.click()
    dialog.get_by_role("button", name="Renunță").click()
    expect(dialog).to_be_hidden()
    expect(reject).to_be_focused()
    reject.click()
    dialog.get_by_role("button", name="Respinge oferta").click()
    page.wait_for_url(re.compile(rf"/oferte/{offer.public_id}/$"))
    visitor.check()
    expect(page.get_by_text(f"Oferta {offer.number} a fost respinsă")).to_be_visible()
    offer.refresh_from_db()
    assert (offer.status, offer.rejection_reason) == (Offer.Status.REJECTED, "Termenul de livrare este prea lung.")


def test_a_double_click_sends_one_post_and_the_button_says_it_is_sending(visitor, admin_a, company_a):
    page = visitor.page
    logged_in(visitor, admin_a)
    ticket = TicketFactory(company=company_a, opened_by=admin_a)
    visitor.goto(ticket.get_absolute_url())
    page.get_by_label("Mesajul dvs.").fill("Am atașat fotografiile cerute.")
    posts = []

    def pass_on_and_stay(route):
        """The server gets the message; the browser gets 204 and stays on the page, to be looked at."""
        posts.append(route.request.method)
        route.fetch(max_redirects=0)
        route.fulfill(status=204)

    page.route(re.compile(r"/raspuns/$"), pass_on_and_stay)
    page.get_by_role("button", name="Trimite mesajul").dblclick()
    send = page.locator("form[action$='/raspuns/'] button[type=submit]")
    expect(send).to_be_disabled()
    expect(send).to_have_text("Se trimite…")
    visitor.shot("dialogs-sending")
    wait_until(page, lambda: posts)
    page.wait_for_timeout(500)  # room for a second request, had the second click sent one
    assert posts == ["POST"]
    assert Message.objects.filter(ticket=ticket, author=admin_a).count() == 1
    visitor.check()

    # A page shown afresh has its buttons back.
    page.unroute(re.compile(r"/raspuns/$"))
    page.reload()
    expect(page.get_by_role("button", name="Trimite mesajul")).to_be_enabled()
