"""Webhooks: an event becomes one signed delivery per listening endpoint, sent to a real local receiver,
retried with backoff after a 500 or a timeout for a day, then failed; a 2xx answer ends it."""

import json
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from integrations import webhooks
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import integration_revoke
from integrations.tests.factories import closed_port_url, integration_key, webhook_endpoint
from integrations.tests.receiver import Receiver, docs_verifier, start
from portal import events
from portal.models import AuditEntry
from quotes import services as quote_services
from quotes.models import QuoteRequest
from quotes.tests.factories import QuoteRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(receiver):
    endpoint, secret = webhook_endpoint(url=receiver.url)
    receiver.secret = secret
    return endpoint


@pytest.fixture
def heard():
    """The events a subscriber received."""
    received: list[events.Event] = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


@pytest.fixture
def quote_request(company_a, admin_a):
    return QuoteRequestFactory(company=company_a, created_by=admin_a)


def publish(capture, quote_request, name="quote_request.cancelled") -> events.Event:
    """An event committed: its subscribers run, and the tasks they enqueue."""
    with capture(execute=True):
        return events.publish(name, company=quote_request.company, obj=quote_request, data={"number": "CO-1"})


def make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# --- the floor ---------------------------------------------------------------------------------------------


def test_an_event_is_published_once_on_commit_and_never_on_rollback(
    heard, quote_request, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(RuntimeError), transaction.atomic():
        events.publish("quote_request.cancelled", company=quote_request.company, obj=quote_request)
        raise RuntimeError("rolled back")
    assert heard == []

    with django_capture_on_commit_callbacks(execute=True):
        quote_services.request_cancel(quote_request=quote_request, user=admin_a)
        assert heard == []  # not before the commit
    [event] = heard
    assert event.name == "quote_request.cancelled"
    assert event.payload()["company"] == {
        "id": str(quote_request.company.public_id),
        "cui": quote_request.company.cui,
        "name": quote_request.company.name,
    }
    assert event.payload()["object"] == {"type": "quotes.quoterequest", "id": str(quote_request.public_id)}
    assert event.payload()["number"] == quote_request.number


def test_an_unknown_event_or_a_reserved_key_is_a_programming_error(quote_request):
    with pytest.raises(ValueError, match="Unknown event"):
        events.publish("offer.acepted", company=quote_request.company, obj=quote_request)
    with pytest.raises(ValueError, match="company"):
        events.publish("offer.accepted", company=quote_request.company, obj=quote_request, data={"company": 1})


def test_a_failing_subscriber_neither_reaches_the_user_nor_silences_the_others(
    heard, quote_request, django_capture_on_commit_callbacks
):
    def broken(event):
        raise RuntimeError("subscriber bug")

    events.subscribe(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish("quote_request.cancelled", company=quote_request.company, obj=quote_request)
    finally:
        events.unsubscribe(broken)
    assert len(heard) == 1


# --- sending, signing ------------------------------------------------------------------------------------------


def test_a_delivery_is_signed_and_verified_by_a_real_receiver(
    receiver, endpoint, quote_request, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.request_cancel(quote_request=quote_request, user=admin_a)
    [request] = receiver.requests
    assert request.verified and request.answered == 200
    body = json.loads(request.body)
    assert request.body == json.dumps(body, separators=(",", ":")).encode()  # compact
    delivery = WebhookDelivery.objects.get()
    assert body["id"] == str(delivery.event_id) == request.headers["X-Portal-Event-Id"]
    assert body["event"] == "quote_request.cancelled" == request.headers["X-Portal-Event"]
    assert body["data"]["object"]["id"] == str(quote_request.public_id)
    assert request.headers["Content-Type"] == "application/json"
    assert abs(int(request.headers["X-Portal-Timestamp"]) - time.time()) < 60
    assert request.headers["X-Portal-Signature"] == webhooks.sign(
        receiver.secret, request.headers["X-Portal-Timestamp"], request.body
    )
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 200 and attempt.response == "ok" and attempt.error == ""


def test_the_receiver_rejects_an_old_timestamp_or_a_wrong_secret():
    verify, invalid = docs_verifier()
    body, now = b'{"id":"x"}', time.time()

    def headers(timestamp, key="s3cret"):
        return {"X-Portal-Timestamp": str(timestamp), "X-Portal-Signature": webhooks.sign(key, timestamp, body)}

    assert verify("s3cret", headers(int(now) - 299), body, now=now) == {"id": "x"}
    for bad in (headers(int(now) - 301), headers(int(now), key="other"), {}):
        with pytest.raises(invalid):
            verify("s3cret", bad, body, now=now)
    with pytest.raises(invalid):
        verify("s3cret", headers(int(now)), body + b" ", now=now)


def test_a_replayed_old_signature_is_refused_and_retried(
    receiver, endpoint, quote_request, monkeypatch, django_capture_on_commit_callbacks
):
    clock = SimpleNamespace(time=lambda: time.time() - 301, monotonic=time.monotonic)
    monkeypatch.setattr(webhooks, "time", clock)  # the sender's clock only: signed 5 minutes ago
    publish(django_capture_on_commit_callbacks, quote_request)
    [request] = receiver.requests
    assert not request.verified and request.answered == 400
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING


def test_only_active_endpoints_of_active_integrations_that_listen_hear_it(
    receiver, quote_request, django_capture_on_commit_callbacks
):
    listening, _secret = webhook_endpoint(url=receiver.url, events=["quote_request.cancelled"], name="a")
    webhook_endpoint(url=receiver.url, events=["offer.accepted"], name="b")
    inactive, _secret = webhook_endpoint(url=receiver.url, name="c")
    inactive.is_active = False
    inactive.save()
    revoked, _secret = webhook_endpoint(url=receiver.url, name="d")
    integration_revoke(integration=revoked.integration)
    receiver.plan = [503]
    publish(django_capture_on_commit_callbacks, quote_request)
    assert [d.endpoint for d in WebhookDelivery.objects.all()] == [listening]


# --- retries ---------------------------------------------------------------------------------------------------


def test_after_a_500_it_is_retried_with_backoff_then_delivered(
    receiver, endpoint, quote_request, django_capture_on_commit_callbacks
):
    receiver.plan = [500, 502]
    before = timezone.now()
    publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
    assert before + timedelta(seconds=59) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=61)
    assert webhooks.deliver(delivery.pk) is None  # not due yet: a duplicate task sends nothing
    assert webhooks.retry_due() == 0

    make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at > timezone.now() + timedelta(seconds=119)

    make_due(delivery)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.retry_due()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.next_attempt_at is None
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 502, 200]
    assert [r.answered for r in receiver.requests] == [500, 502, 200]
    assert all(r.verified for r in receiver.requests)
    assert len({r.headers["X-Portal-Event-Id"] for r in receiver.requests}) == 1


def test_after_a_timeout_it_is_retried_then_delivered(
    receiver, endpoint, quote_request, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.plan = [("sleep", 1.0)]
    publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None and "timed out" in attempt.error and attempt.duration_ms < 1000
    assert delivery.status == WebhookDelivery.Status.PENDING

    make_due(delivery)
    assert webhooks.deliver(delivery.pk).status == WebhookDelivery.Status.DELIVERED


def test_a_refused_connection_is_a_failed_try_not_an_error(quote_request, django_capture_on_commit_callbacks):
    webhook_endpoint(url=closed_port_url())
    publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "Connection refused" in delivery.attempt_log.get().error


def test_a_redirect_is_not_followed_but_retried(receiver, endpoint, quote_request, django_capture_on_commit_callbacks):
    receiver.plan = [307]
    publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempt_log.get().status_code == 307 and len(receiver.requests) == 1
    assert delivery.status == WebhookDelivery.Status.PENDING


def test_the_backoff_doubles_from_a_minute_up_to_an_hour():
    minutes = [webhooks.retry_delay(attempts).total_seconds() / 60 for attempts in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_retries_stop_a_day_after_the_event_then_it_is_failed(
    receiver, endpoint, quote_request, django_capture_on_commit_callbacks
):
    receiver.plan = [500, 500, 500]
    publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    created = timezone.now() - timedelta(hours=23, minutes=59)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=created, attempts=10)
    make_due(delivery)
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.next_attempt_at == created + timedelta(hours=24)  # the last try, at the day's end

    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=created - timedelta(minutes=2))
    make_due(delivery)
    webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.next_attempt_at is None
    assert webhooks.deliver(delivery.pk) is None and len(receiver.requests) == 3


def test_a_worker_lost_during_a_try_leaves_it_due_after_the_lease(endpoint, quote_request, monkeypatch):
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="0" * 32, event="quote_request.cancelled", payload={}, next_attempt_at=None
    )
    monkeypatch.setattr(webhooks, "_post", lambda delivery: (_ for _ in ()).throw(SystemExit))
    with pytest.raises(SystemExit):
        webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == WebhookDelivery.Status.PENDING
    assert webhooks.retry_due() == 0
    assert webhooks.retry_due(now=timezone.now() + timedelta(seconds=webhooks.timeout_seconds() + 61)) == 1


# --- once, and again on demand ------------------------------------------------------------------------------


def test_exactly_one_delivery_per_event_id_once_answered(
    receiver, endpoint, quote_request, django_capture_on_commit_callbacks
):
    event = publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.on_event(event)  # the same event heard twice
        webhooks.deliver(delivery.pk)  # the task run twice
        make_due(delivery)
        webhooks.deliver(delivery.pk)
        webhooks.retry_due()
    assert WebhookDelivery.objects.count() == 1
    assert WebhookAttempt.objects.filter(status_code=200).count() == 1
    assert len(receiver.requests) == 1


def test_redeliver_sends_the_same_event_again(
    receiver, endpoint, quote_request, staff, django_capture_on_commit_callbacks
):
    publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.redeliver(delivery=delivery, by=staff)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 2
    first, second = receiver.requests
    assert first.headers["X-Portal-Event-Id"] == second.headers["X-Portal-Event-Id"] and second.verified
    assert AuditEntry.objects.filter(action="webhook.redelivered", user=staff).exists()


def test_a_failed_delivery_redelivered_after_the_day_gets_one_try(
    receiver, endpoint, quote_request, django_capture_on_commit_callbacks
):
    receiver.plan = [500, 500]
    publish(django_capture_on_commit_callbacks, quote_request)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED, created_at=timezone.now() - timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.redeliver(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and len(receiver.requests) == 2
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.redeliver(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_a_deactivated_endpoint_gets_nothing_more(
    receiver, endpoint, quote_request, django_capture_on_commit_callbacks
):
    receiver.plan = [500]
    publish(django_capture_on_commit_callbacks, quote_request)
    endpoint.is_active = False
    endpoint.save()
    delivery = WebhookDelivery.objects.get()
    make_due(delivery)
    assert webhooks.deliver(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and len(receiver.requests) == 1


def test_the_cancelled_request_is_unchanged_by_a_failing_erp(
    quote_request, admin_a, django_capture_on_commit_callbacks
):
    webhook_endpoint(url=closed_port_url())
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.request_cancel(quote_request=quote_request, user=admin_a)
    quote_request.refresh_from_db()
    assert quote_request.status == QuoteRequest.Status.CANCELLED
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING


# --- endpoints -------------------------------------------------------------------------------------------------


def test_an_endpoint_needs_an_http_url_and_known_events():
    integration, _key = integration_key()
    for url, names in (
        ("ftp://erp.local/x", ["offer.accepted"]),
        ("file:///etc/passwd", ["offer.accepted"]),
        ("https://erp.local/x", ["offer.acepted"]),
        ("https://erp.local/x", []),
    ):
        with pytest.raises(ValidationError):
            webhook_endpoint(url=url, events=names, integration=integration)
    assert not WebhookEndpoint.objects.exists()


def test_the_secret_is_new_for_each_endpoint_and_rotated_on_demand(receiver, endpoint):
    _other, other_secret = webhook_endpoint(url=receiver.url, name="alt")
    assert len(receiver.secret) == 64 and other_secret != receiver.secret
    new = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.secret == new != receiver.secret
