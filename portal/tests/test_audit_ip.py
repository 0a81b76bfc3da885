"""The request's address reaches the audit log through RequestIPMiddleware, not through arguments."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from portal import audit
from portal.models import AuditEntry
from quotes.tests.factories import OfferFactory


def test_the_address_is_bound_for_the_request_and_released_after():
    seen = []

    def view(request):
        seen.append(audit.request_ip())
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    audit.RequestIPMiddleware(view)(request)
    assert seen == ["203.0.113.7"]
    assert audit.request_ip() is None


@pytest.mark.django_db
def test_an_entry_recorded_during_a_request_carries_its_address():
    with audit.request_ip_bound("198.51.100.4"):
        entry = audit.record(action="test.action")
    assert AuditEntry.objects.get(pk=entry.pk).ip == "198.51.100.4"


@pytest.mark.django_db
def test_outside_a_request_an_entry_has_no_address():
    assert audit.record(action="test.action").ip is None


@pytest.mark.django_db
def test_a_client_action_through_the_stack_records_the_request_address(client, admin_a, company_a):
    offer = OfferFactory(company=company_a)
    client.force_login(admin_a)
    response = client.post(reverse("quotes:offer_accept", args=[offer.public_id]), REMOTE_ADDR="192.0.2.55")
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="offer.accepted", object_id=str(offer.public_id)).ip == "192.0.2.55"
    offer.refresh_from_db()
    assert offer.decided_ip == "192.0.2.55"
    assert audit.request_ip() is None
