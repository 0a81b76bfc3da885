"""The /health/ page a person opens in a browser: readable, accessible, up/down only (desktop and phone)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_health_page(visitor):
    visitor.goto("/health/")
    page = visitor.page
    assert page.get_by_role("heading", name="Starea serviciilor").is_visible()
    assert page.locator("tr[data-component]").count() == 4
    assert page.get_by_text("Toate serviciile funcționează.").is_visible()
    visitor.shot("health")
