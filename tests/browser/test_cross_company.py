"""A user of two companies opens an email's link to an offer of the company that is not active: the portal
switches to that company and shows the offer with a notice (desktop and phone, axe on every page)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from accounts.tests.factories import MembershipFactory
from quotes.tests.factories import sent_offer
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def emailed_path(mailoutbox, email: str) -> str:
    """The path of the offer link in the email ``email`` got (the email names the site's own address)."""
    [message] = [m for m in mailoutbox if m.to == [email]]
    return re.search(r"https?://[^/\s]+(/oferte/[0-9a-f-]{36}/)", message.body).group(1)


def test_an_email_link_to_the_other_company_switches_and_shows_the_offer(
    visitor, company_a, company_b, member_b, mailoutbox
):
    MembershipFactory(user=member_b, company=company_a, role=Membership.Role.ADMIN, can_see_billing=True)
    offer = sent_offer(company_b)  # emailed to company B's members after commit, member_b among them
    path = emailed_path(mailoutbox, member_b.email)
    page = visitor.page

    # Not logged in yet, as from an email: the link asks to log in first, then goes on.
    visitor.goto(path)
    assert "/cont/login/" in page.url
    log_in(visitor, member_b.email)
    visitor.check()
    assert page.url == visitor.base_url + path
    expect(page.get_by_role("status").filter(has_text=f"Ați trecut la compania {company_b.name}.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(offer.number)
    expect(page.locator(".company-name").first).to_have_text(company_b.name)
    visitor.shot("cross-company-offer")

    # The other company's pages follow; the notice was shown once.
    visitor.goto("/oferte/")
    expect(page.get_by_text("Ați trecut la compania")).to_have_count(0)
    expect(page.get_by_role("link", name=offer.number).first).to_be_visible()

    # Logged in, with company A active again: the same link switches at once.
    visitor.goto("/")
    page.locator(".company-name").first.click()
    page.get_by_role("button", name=company_a.name).click()
    page.wait_for_load_state("load")
    expect(page.locator(".company-name").first).to_have_text(company_a.name)
    visitor.goto(path)
    expect(page.get_by_role("status").filter(has_text=f"Ați trecut la compania {company_b.name}.")).to_be_visible()
