"""The quote request's admin page has a "Creează ofertă" button: a POST of the change form (CSRF-checked like
every admin form) that calls the list action's service and lands on the new draft offer."""

import re

import pytest
from django.urls import reverse

from quotes.models import Offer, QuoteRequest
from quotes.tests.factories import QuoteRequestFactory, sent_offer

pytestmark = pytest.mark.django_db

BUTTON = 'name="_create_offer"'


def change_url(quote_request) -> str:
    return reverse("admin:quotes_quoterequest_change", args=[quote_request.pk])


def change_form_data(client, quote_request) -> dict:
    """Every field the page's form posts (management forms of the read-only inlines included)."""
    page = client.get(change_url(quote_request)).content.decode()
    form = page[page.index('id="quoterequest_form"') :]
    inputs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return {name: value for name, value in inputs if name != "csrfmiddlewaretoken"}


def test_the_button_creates_the_draft_and_opens_it(client, staff, company_a):
    quote_request = QuoteRequestFactory(company=company_a, lines=2)
    client.force_login(staff)
    page = client.get(change_url(quote_request)).content.decode()
    assert BUTTON in page and 'method="post"' in page and "csrfmiddlewaretoken" in page

    response = client.post(change_url(quote_request), {**change_form_data(client, quote_request), "_create_offer": "1"})

    offer = Offer.objects.get(request=quote_request)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quotes_offer_change", args=[offer.pk])
    assert offer.status == Offer.Status.DRAFT and offer.lines.count() == 2


def test_the_button_needs_a_csrf_token(staff, company_a):
    from django.test import Client

    quote_request = QuoteRequestFactory(company=company_a, lines=1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(change_url(quote_request), {"_create_offer": "1"})
    assert response.status_code == 403 and not Offer.objects.exists()


def test_no_button_once_offered_or_cancelled(client, staff, company_a):
    offered = QuoteRequestFactory(company=company_a, lines=1)
    sent_offer(company_a, quote_request=offered)
    cancelled = QuoteRequestFactory(company=company_a, lines=1, status=QuoteRequest.Status.CANCELLED)
    client.force_login(staff)
    for quote_request in (offered, cancelled):
        assert BUTTON not in client.get(change_url(quote_request)).content.decode()


def test_a_stale_page_makes_no_second_offer(client, staff, company_a):
    quote_request = QuoteRequestFactory(company=company_a, lines=1)
    client.force_login(staff)
    data = change_form_data(client, quote_request)
    sent_offer(company_a, quote_request=quote_request)  # a colleague was quicker

    response = client.post(change_url(quote_request), {**data, "_create_offer": "1"})

    assert response.status_code == 302 and response["Location"] == change_url(quote_request)
    assert Offer.objects.filter(request=quote_request).count() == 1
