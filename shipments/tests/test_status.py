"""The status follows the latest tracking event; the client is emailed once per shipment and kind."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shipments import services
from shipments.models import Carrier, TrackingEvent
from shipments.tasks import send_status_notice
from shipments.tests.factories import CarrierFactory, ShipmentFactory, add_event


@pytest.fixture
def shipment(company_a):
    return ShipmentFactory(company=company_a, number="EXP-2026-0142")


def ago(hours: float):
    return timezone.now() - timedelta(hours=hours)


def test_a_new_shipment_is_in_preparation(shipment):
    assert shipment.status == "in_pregatire"
    services.shipment_refresh(shipment=shipment)
    shipment.refresh_from_db()
    assert (shipment.status, shipment.last_event_at, shipment.shipped_at) == ("in_pregatire", None, None)


def test_status_follows_the_latest_event_by_time_not_by_arrival(shipment):
    shipped, transit, delivered = ago(30), ago(20), ago(2)
    add_event(shipment, "in_tranzit", at=transit)
    assert shipment.status == "in_tranzit" and shipment.shipped_at == transit
    # An older event arriving late does not move the status back, but dates the dispatch.
    add_event(shipment, "expediata", at=shipped)
    assert shipment.status == "in_tranzit" and shipment.shipped_at == shipped
    add_event(shipment, "livrata", at=delivered)
    assert shipment.status == "livrata" and shipment.delivered_at == delivered
    add_event(shipment, "in_livrare", at=ago(5))
    assert shipment.status == "livrata" and shipment.last_event_at == delivered
    assert list(shipment.events.values_list("status", flat=True)) == [
        "livrata",
        "in_livrare",
        "in_tranzit",
        "expediata",
    ]


def test_a_failed_then_successful_delivery(shipment):
    add_event(shipment, "expediata", hours_ago=50)
    add_event(shipment, "livrare_esuata", hours_ago=26, note="Destinatar absent")
    assert shipment.status == "livrare_esuata" and shipment.delivered_at is None
    add_event(shipment, "livrata", hours_ago=1)
    assert shipment.status == "livrata" and shipment.delivered_at is not None


def test_the_same_event_twice_is_recorded_once(shipment):
    at = ago(3)
    first, created = services.event_add(shipment=shipment, status="in_tranzit", occurred_at=at, place="Hub Ilfov")
    again, created_again = services.event_add(shipment=shipment, status="in_tranzit", occurred_at=at)
    assert created and not created_again and again == first
    assert shipment.events.count() == 1


def test_events_are_validated(shipment):
    with pytest.raises(ValidationError):
        services.event_add(shipment=shipment, status="pierduta", occurred_at=ago(1))
    with pytest.raises(ValidationError):
        services.event_add(shipment=shipment, status="livrata", occurred_at=timezone.now() + timedelta(days=1))
    assert not TrackingEvent.objects.exists()


def test_tracking_link_quotes_the_awb():
    carrier = Carrier(name="X", code="x", tracking_url_pattern="https://curier.example/t?awb={awb}&lang=ro")
    assert carrier.tracking_url(" 123 45/6&a ") == "https://curier.example/t?awb=123%2045%2F6%26a&lang=ro"
    assert carrier.tracking_url("") == ""
    assert Carrier(name="Propriu", code="p").tracking_url("123") == ""


def test_romanian_couriers_are_seeded(db):
    assert set(Carrier.objects.values_list("code", flat=True)) >= {
        "fan-courier",
        "cargus",
        "sameday",
        "dpd",
        "gls",
        "transport-propriu",
    }
    assert (
        Carrier.objects.get(code="fan-courier").tracking_url("2150012345678")
        == "https://www.fancourier.ro/awb-tracking/?tracking=2150012345678"
    )
    assert Carrier.objects.get(code="transport-propriu").tracking_url("1") == ""


def test_mark_shipped_and_delivered(shipment, staff):
    services.shipment_mark_shipped(shipment=shipment, by=staff)
    shipment.refresh_from_db()
    assert shipment.status == "expediata" and shipment.shipped_at is not None
    with pytest.raises(ValidationError):
        services.shipment_mark_shipped(shipment=shipment, by=staff)
    services.shipment_mark_delivered(shipment=shipment, by=staff)
    shipment.refresh_from_db()
    assert shipment.status == "livrata"
    assert shipment.events.get(status="livrata").created_by == staff
    with pytest.raises(ValidationError):
        services.shipment_mark_delivered(shipment=shipment, by=staff)


def test_mark_shipped_needs_a_carrier_and_delivered_needs_a_dispatch(company_a, staff):
    shipment = ShipmentFactory(company=company_a, carrier=None, awb="")
    with pytest.raises(ValidationError, match="transportatorul"):
        services.shipment_mark_shipped(shipment=shipment, by=staff)
    with pytest.raises(ValidationError):
        services.shipment_mark_delivered(shipment=shipment, by=staff)
    assert not shipment.events.exists()


# --- emails ---------------------------------------------------------------------------------------


@pytest.fixture
def people(admin_a, member_a, pending_user, member_b):
    return admin_a, member_a


def test_dispatch_delivery_and_failure_are_emailed_once_to_the_company(
    shipment, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add_event(shipment, "expediata", hours_ago=30)
    assert sorted(m.to[0] for m in mailoutbox) == ["admin.a@client-a.ro", "member.a@client-a.ro"]
    assert "EXP-2026-0142" in mailoutbox[0].subject and "plecat" in mailoutbox[0].subject
    assert "fancourier.ro/awb-tracking" in mailoutbox[0].body
    for status, hours_ago in [
        ("in_tranzit", 20),
        ("livrare_esuata", 10),
        ("in_livrare", 5),
        ("livrare_esuata", 4),
        ("livrata", 1),
    ]:
        # Each event committed on its own (a carrier feed, staff in admin); "în tranzit" after "expediată"
        # is still "on the way", and a second failed attempt is not emailed again.
        with django_capture_on_commit_callbacks(execute=True):
            add_event(shipment, status, hours_ago=hours_ago, note="Destinatar absent")
    subjects = [m.subject for m in mailoutbox]
    assert len(mailoutbox) == 6, subjects
    assert sum("eșuat" in s for s in subjects) == 2 and sum("livrată" in s for s in subjects) == 2
    admin_a = people[0]
    assert admin_a.notifications.filter(kind__startswith="shipment.").count() == 3


def test_a_notice_task_twice_sends_once_and_stale_notices_are_dropped(
    shipment, people, mailoutbox, django_capture_on_commit_callbacks
):
    add_event(shipment, "livrata", hours_ago=1)  # no on_commit run: nothing sent yet
    send_status_notice(shipment.pk, "delivered")
    send_status_notice(shipment.pk, "delivered")
    assert len(mailoutbox) == 2
    send_status_notice(shipment.pk, "dispatched")  # already delivered: the "left" notice no longer applies
    send_status_notice(shipment.pk + 1000, "failed")  # gone: nothing
    assert len(mailoutbox) == 2


def test_a_carrier_event_id_is_unique_per_carrier(company_a):
    cargus = CarrierFactory(code="cargus", name="Cargus", tracking_url_pattern="")
    one = ShipmentFactory(company=company_a, carrier=cargus)
    other = ShipmentFactory(company=company_a, carrier=cargus)
    services.event_add(shipment=one, status="in_tranzit", occurred_at=ago(2), external_id="C-1")
    with pytest.raises(ValidationError, match="deja înregistrat"):
        services.event_add(shipment=other, status="in_tranzit", occurred_at=ago(2), external_id="C-1")
    # The same carrier event sent again with another time is the same event.
    _event, created = services.event_add(shipment=one, status="in_tranzit", occurred_at=ago(1), external_id="C-1")
    assert not created and TrackingEvent.objects.count() == 1
