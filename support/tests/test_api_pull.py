"""The ERP pulls tickets with the clients' messages and attachments (never staff replies or internal notes)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import CompanyFactory
from billing.tests.factories import issued_invoice
from files.tests.factories import StoredFileFactory
from shipments.tests.factories import ShipmentFactory
from support.models import Attachment, Ticket
from support.tests.factories import MessageFactory, TicketFactory
from tests.api_pull import assert_ascending, assert_refusals, full_key, get_page, walk

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/tickets"


def at(minutes: int) -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def ticket(company, *, minutes: int, **fields) -> Ticket:
    return TicketFactory(company=company, created_at=at(minutes), **fields)


def attach(ticket: Ticket, message=None, name: str = "poza.pdf") -> Attachment:
    stored = StoredFileFactory(company=ticket.company, name=name)
    return Attachment.objects.create(company=ticket.company, ticket=ticket, message=message, file=stored)


def test_a_key_without_support_read_and_bad_parameters_are_refused(client):
    assert_refusals(client, TICKETS, scope="support:read")


def test_a_ticket_with_the_clients_messages_and_files_only(client, company_a, admin_a, staff):
    shipment = ShipmentFactory(company=company_a)
    made = ticket(company_a, minutes=0, opened_by=admin_a, linked=shipment)
    attach(made, name="eticheta.pdf")
    said = MessageFactory(ticket=made, author=admin_a, body="Pompa tot nu pornește.", created_at=at(1))
    attach(made, said, name="video.pdf")
    MessageFactory(ticket=made, author=staff, from_staff=True, body="Revenim azi.", created_at=at(2))
    note = MessageFactory(ticket=made, author=staff, from_staff=True, is_internal=True, created_at=at(3))
    secret = attach(made, note, name="intern.pdf")
    headers = full_key()
    [item] = get_page(client, TICKETS, headers)["items"]
    assert (item["public_id"], item["number"], item["subject"]) == (str(made.public_id), made.number, made.subject)
    assert (item["category"], item["priority"], item["status"]) == ("tehnic", "normala", "deschis")
    assert item["company"]["name"] == company_a.name and item["created_by"]["email"] == "admin.a@client-a.ro"
    assert item["linked"] == {
        "type": "shipments.shipment",
        "public_id": str(shipment.public_id),
        "label": shipment.number,
    }
    assert [a["name"] for a in item["attachments"]] == ["eticheta.pdf"]
    [message] = item["messages"]
    assert message["public_id"] == str(said.public_id) and message["body"] == "Pompa tot nu pornește."
    assert message["author"] == {"name": "Ana Popescu", "email": "admin.a@client-a.ro"}
    [file] = message["attachments"]
    download = client.get(file["download_url"], **headers)
    assert download.status_code == 200 and file["name"] == "video.pdf"
    hidden = client.get(f"{TICKETS}/{made.public_id}/attachments/{secret.public_id}", **headers)
    assert hidden.status_code == 404


def test_every_company_in_two_pages_without_gaps_or_repeats(client, company_a, company_b):
    made = [ticket(company, minutes=n) for n, company in enumerate([company_a, company_b, company_a])]
    tied = ticket(company_b, minutes=1)
    items, pages = walk(client, TICKETS, full_key(), limit=2)
    assert pages == 2
    assert [i["number"] for i in items] == [t.number for t in (made[0], made[1], tied, made[2])]
    assert_ascending(items)


def test_updated_since_keeps_the_active_tickets_and_the_messages_since(client, company_a, admin_a):
    ticket(company_a, minutes=0)
    active = ticket(company_a, minutes=1)
    MessageFactory(ticket=active, author=admin_a, body="vechi", created_at=at(2))
    MessageFactory(ticket=active, author=admin_a, body="nou", created_at=at(20))
    Ticket.objects.filter(pk=active.pk).update(last_activity_at=at(20))
    [item] = get_page(client, TICKETS, full_key(), updated_since=at(10).isoformat())["items"]
    assert item["number"] == active.number and [m["body"] for m in item["messages"]] == ["nou"]


def test_unknown_attachment_ids_are_404(client, company_a):
    made, other = ticket(company_a, minutes=0), ticket(company_a, minutes=1)
    elsewhere = attach(other)
    headers = full_key()
    for path in [
        f"{TICKETS}/{made.public_id}/attachments/{elsewhere.public_id}",
        f"{TICKETS}/00000000-0000-0000-0000-000000000000/attachments/{elsewhere.public_id}",
    ]:
        response = client.get(path, **headers)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path


def test_the_list_does_not_grow_in_queries_with_rows(client, django_assert_max_num_queries, admin_a):
    company = CompanyFactory()
    links = [ShipmentFactory(company=company), issued_invoice(company), None]
    for n in range(30):
        made = ticket(company, minutes=n, linked=links[n % 3])
        attach(made)
        attach(made, MessageFactory(ticket=made, author=admin_a, created_at=at(n)))
    headers = full_key()
    get_page(client, TICKETS, headers, limit=1)
    # the key, the tickets, the description's files, the messages, their files, shipments, invoices
    with django_assert_max_num_queries(8):  # +1: the call's audit entry
        assert len(get_page(client, TICKETS, headers, limit=500)["items"]) == 30
