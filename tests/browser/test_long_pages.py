"""Pages of a client with a long history, in Chromium at desktop and phone width with axe on each page:
the statement of account goes page by page, each page carrying the balance over; a contract's documents
go ten at a time without losing the page's other parameters."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from billing import views as billing_views
from billing.tests.factories import issued_invoice
from contracts.tests.factories import ContractFactory
from files.tests.factories import DocumentFactory
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_statement_goes_page_by_page(visitor, admin_a, company_a, monkeypatch):
    monkeypatch.setattr(billing_views, "STATEMENT_PER_PAGE", 2)  # the live server runs in this process
    today = timezone.localdate()
    for days in (40, 30, 20):
        issued_invoice(
            company_a,
            lines=[("100.00", 0)],
            issue_date=today - timedelta(days=days),
            due_date=today - timedelta(days=days - 10),
        )
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto("/facturi/fisa-client/")
    assert page.get_by_text("Sold inițial", exact=True).first.is_visible()
    assert page.get_by_text("Pagina 1 din 2").is_visible()
    page.get_by_role("link", name="Înainte").click()
    visitor.check()
    assert "page=2" in page.url and "date_from=" in page.url
    carried = page.locator("tr", has_text="Sold reportat")
    assert re.search(r"200,00", carried.inner_text())
    visitor.shot("billing-statement-page-2")


def test_a_contracts_documents_go_ten_at_a_time(visitor, admin_a, company_a):
    contract = ContractFactory(company=company_a, number="C-2026-0042")
    for number in range(12):
        DocumentFactory(company=company_a, title=f"Proces-verbal {number:02d}", linked=contract)
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto(f"/contracte/{contract.public_id}/")
    assert page.get_by_text("1–10 din 12").is_visible()
    page.get_by_role("navigation", name="Paginarea documentelor").get_by_role("link", name="Înainte").click()
    visitor.check()
    assert page.url.endswith("?documents=2#documente")
    assert page.get_by_role("link", name="Proces-verbal 00", exact=True).is_visible()
    assert page.get_by_text("11–12 din 12").is_visible()
    visitor.shot("contract-documents-page-2")
