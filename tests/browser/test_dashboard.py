"""The dashboard on the seeded demo: every card's link lands on its filtered list (desktop and phone)."""

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from tests.browser.conftest import VIEWPORTS, Visitor
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# card → the heading of the list it must land on, and the filter it must carry
EXPECTED = {
    "offers": ("Oferte", "status=open"),
    "billing": ("Facturi", "status=restanta"),
    "projects": ("Proiecte", "status=in_desfasurare"),
    "support": ("Suport", "status=asteapta_client"),
    "shipments": ("Expedieri", "status=pe_drum"),
    "contracts": ("Contracte", "status=expiring"),
    "files": ("Fișiere", "new=1"),
}


def assert_the_chart_ends_this_month_with_amounts_on_hover(page):
    """The billing chart's last month is the current one, its label whole inside the chart; hovering its
    invoiced bar shows the month's amounts written as money."""
    from billing.selectors import _MONTHS

    today = timezone.localdate()
    chart = page.locator('[data-chart="billing-chart-data"]')
    chart.scroll_into_view_if_needed()
    label = chart.locator(".xtick text").last
    with translation.override("ro"):
        assert label.text_content() == f"{_MONTHS[today.month - 1]} {today:%y}"
    inside, text = chart.bounding_box(), label.bounding_box()
    assert inside["x"] <= text["x"] and text["x"] + text["width"] <= inside["x"] + inside["width"], (inside, text)
    bar = chart.locator(".trace.bars").first.locator("path").last.bounding_box()
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + max(bar["height"] / 2, 1))
    hover = chart.locator(".hoverlayer")
    page.wait_for_function("el => el.textContent.includes('lei')", arg=hover.element_handle())
    assert "Facturat:" in hover.text_content() and "Plătit:" in hover.text_content()


def test_every_card_leads_to_its_filtered_list(browser, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from accounts.demo import DEMO_PASSWORD

    for viewport, size in VIEWPORTS.items():
        context = browser.new_context(viewport=size, locale="ro-RO")
        visitor = Visitor(context.new_page(), live_server.url, viewport)
        page = visitor.page
        visitor.goto("/cont/login/")
        log_in(visitor, "ana.popescu@agroserv.ro", DEMO_PASSWORD)
        visitor.check()
        page.wait_for_selector(".dashboard-chart .main-svg")
        visitor.shot("dashboard-demo")
        assert_the_chart_ends_this_month_with_amounts_on_hover(page)
        cards = page.locator("[data-card]")
        assert cards.count() == len(EXPECTED)
        for key, (heading, query) in EXPECTED.items():
            visitor.goto("/")
            card = page.locator(f'[data-card="{key}"]')
            card.locator("a.stretched-link").click()
            page.wait_for_load_state("load")
            assert query in page.url, (key, page.url)
            assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading), key
            visitor.check()
        context.close()


def test_a_member_without_billing_sees_no_billing_card(browser, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from accounts.demo import DEMO_PASSWORD

    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="ro-RO")
    visitor = Visitor(context.new_page(), live_server.url, "phone")
    visitor.goto("/cont/login/")
    log_in(visitor, "mihai.ionescu@agroserv.ro", DEMO_PASSWORD)
    visitor.check()
    assert visitor.page.locator('[data-card="billing"]').count() == 0
    assert "lei" not in visitor.page.locator("main").inner_text()
    visitor.shot("dashboard-demo-no-billing")
    context.close()
