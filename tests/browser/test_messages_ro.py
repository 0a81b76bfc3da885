"""Number errors that say what is allowed, for a client (quote request) and for staff (admin), in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_typing_1e30_as_a_quantity_reads_the_largest_allowed(visitor, admin_a):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto("/cerere-oferta/noua/")
    page.locator("input[name='lines-0-product']").fill("Cablu NYY 3x2,5")
    page.locator("input[name='lines-0-quantity']").fill("1e30")
    page.get_by_label("ridicare personală").check()
    page.get_by_role("button", name="Trimite cererea").last.click()
    page.wait_for_load_state("load")
    visitor.check()
    expect(page.get_by_text("Introduceți cel mult 999.999.999,999.")).to_be_visible()
    visitor.shot("quote-request-quantity-too-large")


def test_staff_read_the_admin_errors_in_romanian(browser, live_server, staff):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ro-RO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label(re.compile("^Parol")).fill(PASSWORD)
    page.get_by_role("button", name="Logare").click()
    page.goto(live_server.url + "/admin/billing/payment/add/")
    page.locator("input[name='amount']").fill("1e30")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("load")
    expect(page.locator("p.errornote")).to_have_text(re.compile("Corectați erorile de mai jos."))
    expect(page.get_by_text("Introduceți cel mult 999.999.999.999,99.")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "admin-payment-errors-desktop.png"), full_page=True)
    page.goto(live_server.url + "/admin/mfa/authenticator/")
    expect(page.locator("#content h1")).to_contain_text("metodă de autentificare în doi pași")
    body = page.locator("body").inner_text()
    assert "Authenticator" not in body and "Show counts" not in body and "Skip to main content" not in body
    context.close()
