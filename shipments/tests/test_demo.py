"""seed_demo shows a damaged parcel reported to support, then received with objections that name its ticket."""

import pytest

from portal.management.commands.seed_demo import Command
from shipments.models import Shipment
from support.models import Ticket


@pytest.mark.django_db
def test_the_demo_has_a_receipt_with_objections_after_a_reported_problem(client):
    Command().seed()
    shipment = Shipment.objects.select_related("received_by").get(number="EXP-2026-0139")
    ticket = Ticket.objects.get(public_id=shipment.problem_ticket_id)
    assert shipment.receipt_kind == Shipment.ReceiptKind.WITH_OBJECTIONS
    assert shipment.received_by.email == "ana.popescu@agroserv.ro"
    assert "SP-16" in ticket.description and ticket.linked == shipment
    assert Ticket.objects.filter(subject__contains="EXP-2026-0139").count() == 1
    assert set(Shipment.objects.exclude(received_at=None).values_list("number", "receipt_kind")) == {
        ("EXP-2026-0141", "good"),
        ("EXP-2026-0138", "good"),
        ("EXP-2026-0139", "with_objections"),
    }
    client.force_login(shipment.received_by)
    page = client.get(shipment.get_absolute_url()).content.decode()
    assert f"Obiecțiunile: tichetul {ticket.number}" in page
