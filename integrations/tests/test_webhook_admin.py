"""The back office of webhooks: endpoints with their events ticked and a secret shown once; the delivery log
with each try's answer, read-only, and "Retrimite"."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.tests.factories import closed_port_url, integration_key, webhook_endpoint
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def delivery():
    endpoint, _secret = webhook_endpoint(url=closed_port_url())
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id="8b1f0d52-6c3a-4f0e-9a57-1d2c3b4a5e6f",
        event="offer.accepted",
        payload={"id": "8b1f0d52-6c3a-4f0e-9a57-1d2c3b4a5e6f", "event": "offer.accepted", "data": {"număr": "OF-1"}},
        status=WebhookDelivery.Status.FAILED,
        attempts=1,
    )
    WebhookAttempt.objects.create(delivery=delivery, status_code=500, response="Internal Server Error", duration_ms=12)
    return delivery


def test_staff_add_an_endpoint_and_see_its_secret_once(staff_client):
    integration, _key = integration_key()
    response = staff_client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {
            "integration": integration.pk,
            "url": "https://erp.furnizor.ro/portal/webhook",
            "events": ["offer.accepted", "payment_notice.created"],
            "is_active": "on",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request) if endpoint.secret in str(m)]
    assert len(shown) == 1 and len(endpoint.secret) == 64
    assert endpoint.events == ["offer.accepted", "payment_notice.created"]
    assert AuditEntry.objects.filter(action="webhook.created").exists()
    change = staff_client.get(reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]))
    assert change.status_code == 200 and endpoint.secret not in change.content.decode()
    assert 'type="checkbox" name="events" value="ticket.created"' in change.content.decode()


@pytest.mark.parametrize("url", ["ftp://erp.furnizor.ro/x", "file:///etc/passwd", "nu-e-adresa"])
def test_only_http_urls_are_accepted(staff_client, url):
    integration, _key = integration_key()
    response = staff_client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {"integration": integration.pk, "url": url, "events": ["offer.accepted"], "is_active": "on"},
    )
    assert response.status_code == 200 and not WebhookEndpoint.objects.exists()


def test_changing_an_endpoint_keeps_its_secret(staff_client):
    endpoint, secret = webhook_endpoint(url="https://erp.furnizor.ro/a")
    response = staff_client.post(
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
        {"url": "https://erp.furnizor.ro/b", "events": ["ticket.created"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active, endpoint.secret) == (
        "https://erp.furnizor.ro/b",
        ["ticket.created"],
        False,
        secret,
    )


def test_rotating_the_secret_shows_the_new_one_once(staff_client):
    endpoint, old = webhook_endpoint(url="https://erp.furnizor.ro/a")
    response = staff_client.post(
        reverse("admin:integrations_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert any(endpoint.secret in str(m) for m in get_messages(response.wsgi_request))


def test_the_delivery_log_lists_filters_and_finds_by_event_id(staff_client, delivery):
    changelist = reverse("admin:integrations_webhookdelivery_changelist")
    page = staff_client.get(changelist)
    assert page.status_code == 200 and "offer.accepted" in page.content.decode()
    for query, found in (
        ({"q": str(delivery.event_id)}, True),
        ({"q": "nu-este-un-uuid"}, False),
        ({"status__exact": "failed"}, True),
        ({"status__exact": "delivered"}, False),
        ({"endpoint__integration__id__exact": delivery.endpoint.integration_id}, True),
    ):
        rows = staff_client.get(changelist, query).context["cl"].result_count
        assert rows == (1 if found else 0), query


def test_a_delivery_shows_its_tries_read_only(staff_client, delivery):
    page = staff_client.get(reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Internal Server Error" in text and "OF-1" in text
    assert 'name="attempt_log-0-status_code"' not in text and not re.search(r'<input[^>]+name="status"', text)
    assert staff_client.get(reverse("admin:integrations_webhookdelivery_add")).status_code == 403
    staff_client.post(reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk]), {"status": "delivered"})
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED


def test_retrimite_sends_it_again(staff_client, delivery, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:integrations_webhookdelivery_changelist"),
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == WebhookDelivery.Status.PENDING  # refused again: retried
    assert "Connection refused" in delivery.attempt_log.last().error
    assert AuditEntry.objects.filter(action="webhook.redelivered", user=staff).exists()
