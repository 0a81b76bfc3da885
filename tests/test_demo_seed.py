"""seed_demo, run once with its tasks (as after the command's commit), shows what issue 19 added: a user of two
companies whose printed link switches the company; an accepted offer with its PO number and order confirmation,
an expired offer to ask again and a contract to renew; a parcel received with objections naming its ticket.

One seed for the three: a full demo with its PDFs is the slowest fixture of the suite."""

import re
from urllib.parse import urlsplit

import pytest

from accounts.demo import TWO_COMPANIES
from accounts.models import Membership
from contracts.models import Contract
from portal.management.commands.seed_demo import Command
from portal.tenancy import SESSION_KEY
from quotes.models import Offer
from shipments.models import Shipment
from support.models import Ticket

pytestmark = pytest.mark.django_db


def check_two_companies(client, demo: dict) -> None:
    email = TWO_COMPANIES["person"]["email"]
    memberships = Membership.objects.active().filter(user__email=email).select_related("company")
    active, other = (m.company for m in memberships)  # by name: the first is active at login
    line = f"{dict(demo['logins'])[email]}"  # as seed_demo prints it, after commit
    assert active.name in line and other.name in line
    path = urlsplit(re.search(r"https?://\S+", line).group(0)).path
    client.force_login(memberships[0].user)
    assert client.get(path)["Location"] == path
    assert client.session[SESSION_KEY] == str(other.public_id)
    assert f"Ați trecut la compania {other.name}." in client.get(path).content.decode()
    client.logout()


def check_next_steps() -> None:
    accepted = Offer.objects.get(status=Offer.Status.ACCEPTED, po_number="PO-4500018342")
    assert "Țuțuianu" in accepted.acceptance_note
    assert accepted.confirmation_pdf.file.open("rb").read().startswith(b"%PDF-")
    assert any(offer.can_follow_up for offer in Offer.objects.filter(status=Offer.Status.EXPIRED))
    assert any(contract.in_renewal_window for contract in Contract.objects.visible())


def check_receipt_with_objections(client) -> None:
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


def test_the_demo_shows_two_companies_next_steps_and_a_receipt_with_objections(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demo = Command().seed()
    check_two_companies(client, demo)
    check_next_steps()
    check_receipt_with_objections(client)
