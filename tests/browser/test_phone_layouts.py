"""Phone layouts (issue 21), desktop 1366 and phone 390: the members page as one card per colleague with every
button on the screen; a list's filters folded behind one "Filtre" button on a phone, open on a desktop and
without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from tests.browser.conftest import VIEWPORTS
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_members_button_is_on_the_screen(visitor, admin_a, member_a):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto("/cont/companie/membri/")
    width = VIEWPORTS[visitor.viewport]["width"]
    for button in (
        page.get_by_role("link", name=f"Modifică {member_a.email}"),
        page.get_by_role("button", name=f"Elimină {member_a.email}"),
        page.get_by_role("link", name=f"Modifică {admin_a.email}"),
    ):
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (button, box)
    visitor.shot("members-list")
    page.get_by_role("link", name=f"Modifică {member_a.email}").click()
    visitor.check()
    expect(page.get_by_role("heading", level=1)).to_contain_text(member_a.get_full_name())


def test_filters_fold_behind_one_button_on_a_phone(visitor, browser, admin_a):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto("/proiecte/?status=in_desfasurare&q=pompa")
    toggle = page.get_by_role("button", name="Filtre (2)")
    filters = page.get_by_role("search", name="Filtrează proiectele")
    if visitor.viewport == "desktop":
        expect(toggle).to_be_hidden()
        expect(filters).to_be_visible()
    else:
        expect(filters).to_be_hidden()
        toggle.click()
        expect(page.locator("#filter-panel")).to_have_class(re.compile(r"\bshow\b"))  # opened, not still opening
        expect(filters).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        visitor.check()
    visitor.shot("list-filters")

    without_javascript = browser.new_context(viewport=VIEWPORTS[visitor.viewport], java_script_enabled=False)
    plain = without_javascript.new_page()
    plain.goto(visitor.base_url + "/cont/login/")
    plain.get_by_label("Email").fill(admin_a.email)
    plain.get_by_label(re.compile("^Parol")).fill(PASSWORD)
    plain.get_by_role("button", name="Logare").click()
    plain.goto(visitor.base_url + "/proiecte/?status=in_desfasurare")
    expect(plain.get_by_role("search", name="Filtrează proiectele")).to_be_visible()
    expect(plain.locator(".filter-panel-toggle")).to_have_count(1)
    expect(plain.locator(".filter-panel-toggle")).to_be_hidden()
    without_javascript.close()
