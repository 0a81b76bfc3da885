"""The ERP pulls what clients reported about deliveries: receipts confirmed and problems (with their ticket)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import CompanyFactory, UserFactory
from shipments import services
from shipments.models import Shipment, Status
from shipments.tests.factories import ShipmentFactory, add_event
from tests.api_pull import assert_ascending, assert_refusals, full_key, get_page, walk

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/shipment-reports"


def at(minutes: int) -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def received(company, *, minutes: int, user=None) -> Shipment:
    return ShipmentFactory(company=company, received_at=at(minutes), received_by=user)


def test_a_key_without_shipments_read_and_bad_parameters_are_refused(client):
    assert_refusals(client, REPORTS, scope="shipments:read")


def test_a_receipt_and_a_problem_with_who_and_what(client, company_a, admin_a):
    shipment = ShipmentFactory(company=company_a)
    add_event(shipment, Status.DELIVERED)
    services.shipment_confirm_receipt(shipment=shipment, company=company_a, user=admin_a)
    public_id, _created = services.shipment_report_problem(
        shipment=shipment, company=company_a, user=admin_a, description="Două colete lipsesc."
    )
    ShipmentFactory(company=company_a)  # nothing reported
    receipt, problem = get_page(client, REPORTS, full_key())["items"]
    assert receipt["kind"] == "receipt_confirmed" and receipt["text"] == "" and receipt["ticket"] is None
    assert receipt["shipment"] == {
        "public_id": str(shipment.public_id),
        "number": shipment.number,
        "awb": shipment.awb,
        "carrier": "fan-courier",
    }
    assert receipt["by"] == {"name": "Ana Popescu", "email": "admin.a@client-a.ro"} and receipt["at"]
    assert receipt["company"]["cui"] == company_a.cui
    assert problem["kind"] == "problem_reported" and problem["text"].startswith("Două colete lipsesc.")
    assert problem["by"]["email"] == "admin.a@client-a.ro" and problem["ticket"]["public_id"] == str(public_id)
    assert problem["shipment"]["number"] == shipment.number and problem["at"] == problem["updated_at"]


def test_every_report_in_pages_without_gaps_or_repeats(client, company_a, company_b):
    user = UserFactory()
    made = [received(company, minutes=n, user=user) for n, company in enumerate([company_a, company_b, company_a])]
    # a receipt and a problem of one shipment at the same time: two reports, ordered by kind
    both = received(company_b, minutes=1, user=user)
    Shipment.objects.filter(pk=both.pk).update(problem_reported_at=at(1))
    items, pages = walk(client, REPORTS, full_key(), limit=2)
    assert pages == 3
    assert [(i["shipment"]["number"], i["kind"]) for i in items] == [
        (made[0].number, "receipt_confirmed"),
        (made[1].number, "receipt_confirmed"),
        (both.number, "receipt_confirmed"),
        (both.number, "problem_reported"),
        (made[2].number, "receipt_confirmed"),
    ]
    assert_ascending(items)
    assert items[3]["text"] == "" and items[3]["ticket"] is None  # its ticket is gone: still listed


def test_updated_since(client, company_a):
    received(company_a, minutes=0)
    later = received(company_a, minutes=10)
    items = get_page(client, REPORTS, full_key(), updated_since=at(10).isoformat())["items"]
    assert [i["shipment"]["number"] for i in items] == [later.number]


def test_the_list_does_not_grow_in_queries_with_rows(client, django_assert_max_num_queries, company_a, admin_a):
    for n in range(20):
        received(CompanyFactory(), minutes=n, user=UserFactory())
    for _ in range(5):
        shipment = ShipmentFactory(company=company_a)
        services.shipment_report_problem(shipment=shipment, company=company_a, user=admin_a, description="Lipsă")
    headers = full_key()
    get_page(client, REPORTS, headers, limit=1)
    # the key, the receipts, the problems, the problems' tickets
    with django_assert_max_num_queries(5):  # +1: the call's audit entry
        assert len(get_page(client, REPORTS, headers, limit=500)["items"]) == 25
