"""Staff manage shipments in admin: items and events inlines, dispatch and delivery actions."""

from django.urls import reverse
from django.utils import timezone

from shipments.models import Shipment, TrackingEvent
from shipments.tests.factories import CarrierFactory, ShipmentFactory, ShipmentItemFactory, add_event


def test_admin_pages_render(client, staff, company_a):
    shipment = ShipmentFactory(company=company_a)
    ShipmentItemFactory(shipment=shipment)
    add_event(shipment, "expediata", hours_ago=3)
    client.force_login(staff)
    for url in (
        reverse("admin:shipments_shipment_changelist"),
        reverse("admin:shipments_shipment_add"),
        reverse("admin:shipments_shipment_change", args=[shipment.pk]),
        reverse("admin:shipments_carrier_changelist"),
        reverse("admin:shipments_trackingevent_changelist"),
        reverse("admin:shipments_shipment_changelist") + "?status__exact=expediata&q=Ploie&primita=nu&problema=da",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("admin:shipments_shipment_change", args=[shipment.pk])).content.decode()
    assert 'rel="noopener noreferrer"' in page and "Încarcă documente" in page


def test_actions_dispatch_and_deliver_through_the_service(
    client, staff, company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    ready = ShipmentFactory(company=company_a, number="EXP-READY")
    no_carrier = ShipmentFactory(company=company_a, number="EXP-NOCARRIER", carrier=None, awb="")
    client.force_login(staff)
    url = reverse("admin:shipments_shipment_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "mark_shipped", "_selected_action": [ready.pk, no_carrier.pk]}, follow=True
        )
    page = response.content.decode()
    assert "1 expediere marcată expediată." in page and "EXP-NOCARRIER" in page
    ready.refresh_from_db()
    assert ready.status == "expediata" and ready.events.get().created_by == staff
    assert Shipment.objects.get(pk=no_carrier.pk).status == "in_pregatire"
    assert [m.to for m in mailoutbox] == [[admin_a.email]]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "mark_delivered", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.status == "livrata" and ready.delivered_at is not None
    assert len(mailoutbox) == 2 and "livrată" in mailoutbox[1].subject


def _form(shipment, **extra):
    return {
        "company": shipment.company_id,
        "number": shipment.number,
        "contract": "",
        "project": "",
        "carrier": shipment.carrier_id,
        "awb": shipment.awb,
        "packages": "3",
        "weight_kg": "120.50",
        "delivery_address": "Str. Industriilor nr. 5",
        "delivery_city": "Ploiești",
        "delivery_county": "Prahova",
        "contact_name": "",
        "contact_phone": "",
        "notes": "",
        "planned_ship_date": "",
        "planned_delivery_date": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-position": "1",
        "items-0-product": "Vană fluture DN 100",
        "items-0-code": "VF-100",
        "items-0-quantity": "4",
        "items-0-unit": "buc.",
        "events-TOTAL_FORMS": "2",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_events_added_in_the_inline_set_the_status(client, staff, company_a):
    shipment = ShipmentFactory(company=company_a)
    now = timezone.localtime()
    earlier = now - timezone.timedelta(hours=5)
    client.force_login(staff)
    response = client.post(
        reverse("admin:shipments_shipment_change", args=[shipment.pk]),
        _form(
            shipment,
            **{
                "events-0-occurred_at_0": now.strftime("%d.%m.%Y"),
                "events-0-occurred_at_1": now.strftime("%H:%M"),
                "events-0-status": "in_tranzit",
                "events-0-place": "Hub Ilfov",
                "events-0-note": "",
                "events-1-occurred_at_0": earlier.strftime("%d.%m.%Y"),
                "events-1-occurred_at_1": earlier.strftime("%H:%M"),
                "events-1-status": "expediata",
                "events-1-place": "",
                "events-1-note": "",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    shipment.refresh_from_db()
    assert shipment.status == "in_tranzit" and shipment.shipped_at is not None
    assert {e.company_id for e in TrackingEvent.objects.all()} == {company_a.pk}
    assert set(TrackingEvent.objects.values_list("source", flat=True)) == {"personal"}
    assert shipment.items.get().company == company_a


def test_admin_refuses_a_future_event_and_a_contract_of_another_company(client, staff, company_a, company_b):
    from contracts.tests.factories import ContractFactory

    shipment = ShipmentFactory(company=company_a)
    other_contract = ContractFactory(company=company_b)
    tomorrow = timezone.localtime() + timezone.timedelta(days=1)
    client.force_login(staff)
    response = client.post(
        reverse("admin:shipments_shipment_change", args=[shipment.pk]),
        _form(
            shipment,
            contract=other_contract.pk,
            **{
                "events-TOTAL_FORMS": "1",
                "events-0-occurred_at_0": tomorrow.strftime("%d.%m.%Y"),
                "events-0-occurred_at_1": "10:00",
                "events-0-status": "livrata",
                "events-0-place": "",
                "events-0-note": "",
            },
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ora evenimentului este în viitor." in page and "Aparține altei companii" in page
    assert not TrackingEvent.objects.exists() and not shipment.items.exists()


def test_carrier_tracking_pattern_is_checked(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:shipments_carrier_add"),
        {
            "name": "Curier Nou",
            "code": "curier-nou",
            "tracking_url_pattern": "http://curier.example/t",
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "https://" in response.content.decode()
    response = client.post(
        reverse("admin:shipments_carrier_add"),
        {
            "name": "Curier Nou",
            "code": "curier-nou",
            "tracking_url_pattern": "https://curier.example/t/{awb}",
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert CarrierFactory(code="curier-nou").tracking_url("A 1") == "https://curier.example/t/A%201"


def test_moving_a_shipment_to_another_company_moves_its_rows(client, staff, company_a, company_b):
    shipment = ShipmentFactory(company=company_a)
    ShipmentItemFactory(shipment=shipment)
    add_event(shipment, "expediata")
    client.force_login(staff)
    response = client.post(
        reverse("admin:shipments_shipment_change", args=[shipment.pk]),
        _form(shipment, company=company_b.pk, **{"events-TOTAL_FORMS": "0"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    shipment.refresh_from_db()
    assert shipment.company == company_b
    assert {row.company_id for row in (*shipment.items.all(), *shipment.events.all())} == {company_b.pk}
