"""Search in Chromium, desktop and phone, axe on every page: typed without diacritics ("pompa", "problema"),
the catalogue and the tickets list find "Pompă", "Problemă"; the header's search finds an invoice by number
and a shipment by AWB, opens a hit with the keyboard, and shows no invoice to a member without the billing
right."""

import re

import pytest
from playwright.sync_api import expect

from billing.tests.factories import issued_invoice
from quotes.tests.factories import ProductFactory
from shipments.tests.factories import ShipmentFactory
from support.tests.factories import TicketFactory
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AWB = "1Z999AA10123456784"


@pytest.fixture
def rows(company_a, admin_a):
    ProductFactory(code="PS-4", name="Pompă submersibilă 4 kW")
    ProductFactory(code="CP-200", name="Pompă centrifugală CP-200, 7,5 kW")
    ProductFactory(code="RS-25", name="Robinet sferic inox DN25")
    TicketFactory(company=company_a, opened_by=admin_a, subject="Problemă la pompa CP-200 după revizie")
    TicketFactory(company=company_a, opened_by=admin_a, subject="Acces în portal pentru un coleg nou")
    return {
        "invoice": issued_invoice(company_a, series="FCT", number=1024),
        "shipment": ShipmentFactory(company=company_a, number="EXP-2026-0420", awb=AWB),
    }


def search_box(visitor):
    """The header's box on a desktop; on a phone the header's search link leads to the page's own box."""
    page = visitor.page
    if visitor.viewport == "phone":
        page.get_by_role("link", name="Caută în portal").click()
        visitor.check()
        return page.locator("#search-page-q")
    return page.locator("#header-search-q")


def test_search_without_diacritics_and_across_sections(visitor, admin_a, rows):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)

    # The quote request's catalogue: "pompa" suggests the two pumps (and nothing else).
    visitor.goto("/cerere-oferta/noua/")
    page.locator("input[name='lines-0-product']").press_sequentially("pompa")
    expect(page.locator("#quote-products option")).to_have_count(2)
    labels = sorted(option.get_attribute("value") for option in page.locator("#quote-products option").all())
    assert labels == ["CP-200 — Pompă centrifugală CP-200, 7,5 kW", "PS-4 — Pompă submersibilă 4 kW"]

    # The tickets list: "problema" finds "Problemă ...".
    visitor.goto("/suport/")
    if visitor.viewport == "phone":  # the filters are folded behind one button there
        page.get_by_role("button", name="Filtre", exact=True).click()
    page.get_by_role("textbox", name="Caută", exact=True).fill("problema")
    page.get_by_role("button", name="Filtrează").click()
    visitor.check()
    expect(page.get_by_text("Problemă la pompa CP-200 după revizie")).to_be_visible()
    expect(page.get_by_text("Acces în portal pentru un coleg nou")).to_have_count(0)

    # The header's search: an invoice by its number, opened with arrow down + Enter.
    visitor.goto("/")
    box = search_box(visitor)
    box.press_sequentially("fct 1024")
    options = page.get_by_role("option")
    expect(options.first).to_have_text(re.compile("FCT 1024"))
    expect(box).to_have_attribute("aria-expanded", "true")
    visitor.check()
    visitor.shot("search-suggestions")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(f"**/facturi/{rows['invoice'].public_id}/")
    visitor.check()

    # A shipment by its AWB, on the results page (Enter without choosing a suggestion).
    box = search_box(visitor)
    box.fill(AWB.lower())
    box.press("Enter")
    page.wait_for_url(re.compile(r"/cautare/\?q="))
    visitor.check()
    expect(page.get_by_role("heading", name="Expedieri")).to_be_visible()
    visitor.shot("search-results")
    page.get_by_role("link", name="EXP-2026-0420").click()
    page.wait_for_url(f"**/expedieri/{rows['shipment'].public_id}/")


def test_no_invoices_for_a_member_without_the_billing_right(visitor, member_a, rows):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, member_a.email)
    visitor.goto("/cautare/?q=FCT+1024")
    expect(page.get_by_text("Nimic găsit pentru „FCT 1024”.")).to_be_visible()
    expect(page.get_by_role("link", name="FCT 1024")).to_have_count(0)
    box = page.locator("#search-page-q")
    box.fill("")
    box.press_sequentially("fct 1024")
    expect(page.get_by_role("status").filter(has_text="Nimic găsit")).to_have_count(1)
    expect(page.get_by_role("option")).to_have_count(0)
    visitor.shot("search-no-billing")
    # What the member may see is still found: the shipment by its AWB.
    visitor.goto(f"/cautare/?q={AWB}")
    expect(page.get_by_role("link", name="EXP-2026-0420")).to_be_visible()
