"""The ERP pushes shipments (with items and tracking events) and tracking events alone: upserted by its own
keys, idempotent, each object on its own, the client emailed as when staff act and never twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.tests.factories import InvoiceFactory
from contracts.tests.factories import ContractFactory
from integrations.tests.factories import bearer, integration_key
from portal.models import AuditEntry
from shipments.models import Shipment, ShipmentItem, TrackingEvent
from shipments.tests.factories import CarrierFactory, ShipmentFactory

pytestmark = pytest.mark.django_db
SHIPMENTS = "/api/v1/shipments/bulk"
EVENTS = "/api/v1/shipments/tracking-events/bulk"


NOW = timezone.now().replace(microsecond=0)  # one instant, so that a body built twice is the same body


def ago(hours: float) -> str:
    return (NOW - timedelta(hours=hours)).isoformat()


def body(company, **changes) -> dict:
    shipment = {
        "cui": company if isinstance(company, str) else company.cui,
        "number": "EXP-2026-0500",
        "carrier": "fan-courier",
        "awb": "2150012345678",
        "delivery_address": "Str. Industriilor nr. 5, Hala 2",
        "delivery_city": "Ploiești",
        "delivery_county": "Prahova",
        "packages": 2,
        "weight_kg": "48.5",
        "planned_delivery_date": "2026-09-03",
        "items": [
            {"product": "Pompă centrifugală CP-200", "code": "CP-200", "quantity": "2"},
            {"product": "Garnitură DN50", "code": "G-50", "quantity": "12.5", "unit": "m"},
        ],
        "events": [
            {"time": ago(30), "status": "expediata", "place": "Depozit Chiajna", "external_id": "FC-1"},
            {"time": ago(20), "status": "in_tranzit", "place": "Hub Ștefăneștii de Jos"},
        ],
    }
    return {**shipment, **changes}


@pytest.fixture
def key():
    CarrierFactory()
    return integration_key(scopes=["shipments:write"])[1]


def push(client, key, *shipments):
    return client.post(SHIPMENTS, {"shipments": list(shipments)}, content_type="application/json", **bearer(key))


def push_events(client, key, *events):
    return client.post(EVENTS, {"events": list(events)}, content_type="application/json", **bearer(key))


def results(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [result["result"] for result in response.json()["results"]]


def test_a_shipment_is_created_recognised_and_updated(client, key, company_a):
    response = push(client, key, body(company_a))
    assert response.json()["results"] == [
        {"key": f"{company_a.cui} EXP-2026-0500", "result": "created", "status": 201, "errors": []}
    ]
    shipment = Shipment.objects.get(number="EXP-2026-0500")
    assert (shipment.company, shipment.carrier.code, shipment.status) == (company_a, "fan-courier", "in_tranzit")
    assert [(i.position, i.code, i.unit) for i in shipment.items.all()] == [(1, "CP-200", "buc."), (2, "G-50", "m")]
    assert set(shipment.events.values_list("source", flat=True)) == {"import"}
    assert AuditEntry.objects.get(action="shipment.imported").data["integration"] == "ERP test"
    written = AuditEntry.objects.exclude(action="api.call")
    entries, updated_at = written.count(), shipment.updated_at

    assert results(push(client, key, body(company_a))) == ["unchanged"]
    shipment.refresh_from_db()
    assert written.count() == entries and shipment.updated_at == updated_at

    changed = body(company_a, packages=3)
    changed["items"] = [{"product": "Garnitură DN50", "code": "G-50", "quantity": "10", "unit": "m"}]
    assert results(push(client, key, changed)) == ["updated"]
    shipment.refresh_from_db()
    assert shipment.packages == 3
    assert [(i.position, i.code, str(i.quantity)) for i in shipment.items.all()] == [(1, "G-50", "10.000")]
    assert shipment.events.count() == 2


def test_events_are_added_once_and_the_client_is_told_once(
    client, key, company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert results(push(client, key, body(company_a))) == ["created"]
    assert [m.to[0] for m in mailoutbox] == [admin_a.email] and "plecat" in mailoutbox[0].subject

    # The same events again, one of them by the carrier's id with a corrected time: nothing added, no email.
    again = body(company_a)
    again["events"][0]["time"] = ago(29)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert results(push(client, key, again)) == ["unchanged"]
        assert results(push_events(client, key, {"shipment": "EXP-2026-0500", **body(company_a)["events"][1]})) == [
            "unchanged"
        ]
    assert callbacks == [] and len(mailoutbox) == 1
    assert TrackingEvent.objects.count() == 2

    # Only the new event: the earlier ones stay (a push never removes one); the status follows, the client is told.
    delivered = body(company_a)
    delivered["events"] = [{"time": ago(1), "status": "livrata", "place": "Ploiești"}]
    with django_capture_on_commit_callbacks(execute=True):
        assert results(push(client, key, delivered)) == ["updated"]
    shipment = Shipment.objects.get(number="EXP-2026-0500")
    assert shipment.status == "livrata" and shipment.events.count() == 3
    assert len(mailoutbox) == 2 and "livrat" in mailoutbox[1].subject


def test_a_bad_shipment_saves_nothing_of_itself_and_blocks_none_of_the_others(client, key, company_a, company_b):
    future = body(company_a, number="EXP-2026-0501")
    future["events"].append({"time": (timezone.now() + timedelta(days=2)).isoformat(), "status": "livrata"})
    unknown = body(company_a, number="EXP-2026-0503", carrier="posta", contract="CTR-9", invoice="FRN 7")
    response = push(client, key, future, unknown, body(company_a), body("12345678"))
    outcome = response.json()["results"]
    assert [r["result"] for r in outcome] == ["rejected", "rejected", "created", "rejected"]
    assert outcome[0]["errors"] == ["events.2: Ora evenimentului este în viitor."]
    assert [e.split(":")[0] for e in outcome[1]["errors"]] == ["carrier", "contract", "invoice"]
    assert outcome[3] == {
        "key": "12345678 EXP-2026-0500",
        "result": "rejected",
        "status": 400,
        "errors": ["compania cu CUI „12345678” nu există"],
    }
    assert list(Shipment.objects.values_list("number", flat=True)) == ["EXP-2026-0500"]
    assert ShipmentItem.objects.count() == 2 and TrackingEvent.objects.count() == 2
    # The number belongs to company A: company B cannot take it over.
    taken = push(client, key, body(company_b)).json()["results"][0]
    assert taken["errors"] == ["number: Expedierea EXP-2026-0500 este a altei companii."]
    assert Shipment.objects.get(number="EXP-2026-0500").company == company_a


def test_links_are_the_companys_own(client, key, company_a, company_b):
    ContractFactory(company=company_a, number="CTR-2026-001")
    ContractFactory(company=company_b, number="CTR-2026-002")
    InvoiceFactory(company=company_a, series="FRN", number=1024)
    assert results(push(client, key, body(company_a, contract="CTR-2026-001", invoice="FRN 1024"))) == ["created"]
    shipment = Shipment.objects.get()
    assert (shipment.contract.number, shipment.invoice.number) == ("CTR-2026-001", 1024)
    huge = push(client, key, body(company_a, invoice="FRN 99999999999999999999")).json()["results"][0]
    assert huge["result"] == "rejected" and huge["errors"][0].startswith("invoice: ")
    outcome = push(client, key, body(company_a, contract="CTR-2026-002")).json()["results"][0]
    assert outcome["result"] == "rejected" and outcome["errors"][0].startswith("contract: „CTR-2026-002”")
    no_carrier = body(company_a, number="EXP-2026-0505", carrier="")
    assert push(client, key, no_carrier).json()["results"][0]["errors"] == [
        "carrier: Alegeți transportatorul care a emis AWB-ul."
    ]


def test_tracking_events_by_number_or_awb(client, key, company_a, company_b):
    fan = ShipmentFactory(company=company_a, number="EXP-2026-0142", awb="2150012345678")
    cargus = CarrierFactory(code="cargus", name="Cargus", tracking_url_pattern="")
    ShipmentFactory(company=company_b, number="EXP-2026-0143", carrier=cargus, awb="1098765432")
    events = [
        {"shipment": "EXP-2026-0142", "time": ago(30), "status": "expediata", "external_id": "FC-1"},
        {"awb": "2150012345678", "carrier": "fan-courier", "time": ago(5), "status": "in_livrare"},
        {"awb": "1098765432", "time": ago(4), "status": "expediata", "place": "Cluj-Napoca"},
        {"shipment": "EXP-2026-9999", "time": ago(1), "status": "in_tranzit"},
        {"shipment": "EXP-2026-0142", "carrier": "cargus", "time": ago(1), "status": "in_tranzit"},
        {"shipment": "EXP-2026-0142", "time": "2026-03-14T09:30:00", "status": "in_tranzit"},
        {"shipment": "EXP-2026-0142", "time": "0001-01-01T00:00:00+14:00", "status": "in_tranzit"},
        {"time": ago(1), "status": "livrata"},
    ]
    response = push_events(client, key, *events)
    assert results(response) == ["created", "created", "created", *["rejected"] * 5]
    errors = [r["errors"] for r in response.json()["results"][3:]]
    assert errors == [
        ["expedierea EXP-2026-9999 nu există"],
        ["expedierea EXP-2026-0142 nu este transportată de Cargus"],
        ["Ora evenimentului trebuie să aibă fus orar."],
        ["Ora evenimentului este înainte de anul 2000."],
        ["lipsește expedierea (shipment) sau AWB-ul (awb)"],
    ]
    fan.refresh_from_db()
    assert fan.status == "in_livrare" and fan.events.count() == 2
    assert results(push_events(client, key, *events[:3])) == ["unchanged"] * 3
    assert TrackingEvent.objects.count() == 3


def test_a_key_without_shipments_write_is_refused(client, company_a):
    for scopes in (["shipments:read"], ["billing:write"]):
        key = integration_key(scopes=scopes, name=f"ERP {scopes[0]}")[1]
        assert push(client, key, body(company_a)).status_code == 403
        assert push_events(client, key, {"shipment": "X", "time": ago(1), "status": "livrata"}).status_code == 403
    assert client.post(SHIPMENTS, {"shipments": [body(company_a)]}, content_type="application/json").status_code == 401
    assert not Shipment.objects.exists()


def test_a_body_over_the_limit_or_off_the_schema_is_refused(client, key, company_a):
    response = push(client, key, *[body(company_a, number=f"EXP-{n}") for n in range(1001)])
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    bad = push(client, key, body(company_a, packages=0, items=[{"product": "X", "quantity": "-1"}]))
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"shipments.0.packages", "shipments.0.items.0.quantity"}
    assert not Shipment.objects.exists()
