"""After a reported problem (a damaged part), receipt is confirmed only "cu obiecțiuni", pointing to the
problem's ticket, never "în stare bună": the page offers only that button, the service refuses the other,
and the kind reaches the audit log, the webhook event, the ERP's pull list and the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal import events
from portal.models import AuditEntry
from shipments import services
from shipments.models import Shipment
from shipments.tests.factories import ShipmentFactory, add_event
from support.models import Ticket
from tests.api_pull import full_key, get_page

GOOD, OBJECTIONS = Shipment.ReceiptKind.GOOD, Shipment.ReceiptKind.WITH_OBJECTIONS


@pytest.fixture
def delivered(company_a):
    shipment = ShipmentFactory(company=company_a, number="EXP-2026-0300")
    add_event(shipment, "expediata", hours_ago=30)
    add_event(shipment, "livrata", hours_ago=2)
    return shipment


@pytest.fixture
def damaged(delivered, company_a, member_a) -> Shipment:
    """Delivered, and a colleague reported a damaged part (which opened a support ticket)."""
    services.shipment_report_problem(
        shipment=delivered, company=company_a, user=member_a, description="Carcasa pompei CP-200 este fisurată."
    )
    delivered.refresh_from_db()
    return delivered


@pytest.fixture
def heard():
    published: list[events.Event] = []
    events.subscribe(published.append)
    yield published
    events.unsubscribe(published.append)


def confirm_url(shipment) -> str:
    return reverse("shipments:confirm_receipt", args=[shipment.public_id])


def detail_url(shipment) -> str:
    return reverse("shipments:detail", args=[shipment.public_id])


# --- the service -------------------------------------------------------------------------------------------


def test_after_a_problem_good_order_is_refused_and_nothing_saved(
    damaged, company_a, admin_a, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as refused:
        services.shipment_confirm_receipt(shipment=damaged, company=company_a, user=admin_a, kind=GOOD)
    assert refused.value.messages == [
        "Ați raportat o problemă la expedierea EXP-2026-0300; primirea se poate confirma doar cu obiecțiuni."
    ]
    damaged.refresh_from_db()
    assert (damaged.received_at, damaged.received_by, damaged.receipt_kind) == (None, None, "")
    assert not AuditEntry.objects.filter(action="shipment.receipt_confirmed").exists()
    assert not [event for event in heard if event.name == "shipment.receipt_confirmed"]


def test_the_default_kind_is_good_order_so_it_is_refused_too(damaged, company_a, admin_a):
    with pytest.raises(ValidationError):
        services.shipment_confirm_receipt(shipment=damaged, company=company_a, user=admin_a)
    assert Shipment.objects.get(pk=damaged.pk).received_at is None


def test_with_objections_records_the_kind_and_the_problems_ticket(
    damaged, company_a, admin_a, heard, django_capture_on_commit_callbacks
):
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        shipment, confirmed = services.shipment_confirm_receipt(
            shipment=damaged, company=company_a, user=admin_a, kind=OBJECTIONS
        )
    assert confirmed and shipment.receipt_kind == OBJECTIONS
    damaged.refresh_from_db()
    assert damaged.receipt_kind == OBJECTIONS and damaged.received_by == admin_a and damaged.received_at
    assert damaged.problem_ticket_id == ticket.public_id
    entry = AuditEntry.objects.get(action="shipment.receipt_confirmed")
    assert entry.data == {"kind": "with_objections", "ticket": str(ticket.public_id)}
    (event,) = [event for event in heard if event.name == "shipment.receipt_confirmed"]
    payload = event.payload()
    assert payload["kind"] == "with_objections" and payload["number"] == "EXP-2026-0300"
    assert payload["ticket"] == {"id": str(ticket.public_id), "number": ticket.number}
    # A second confirmation, of either kind, changes nothing.
    assert services.shipment_confirm_receipt(shipment=damaged, company=company_a, user=admin_a, kind=GOOD)[1] is False
    assert Shipment.objects.get(pk=damaged.pk).receipt_kind == OBJECTIONS


def test_good_order_without_a_problem_names_no_ticket(
    delivered, company_a, admin_a, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_confirm_receipt(shipment=delivered, company=company_a, user=admin_a, kind=GOOD)
    delivered.refresh_from_db()
    assert delivered.receipt_kind == GOOD
    (event,) = [event for event in heard if event.name == "shipment.receipt_confirmed"]
    assert event.payload()["kind"] == "good" and event.payload()["ticket"] is None
    assert AuditEntry.objects.get(action="shipment.receipt_confirmed").data == {"kind": "good"}


def test_objections_need_a_reported_problem_first(delivered, company_a, admin_a):
    with pytest.raises(ValidationError) as refused:
        services.shipment_confirm_receipt(shipment=delivered, company=company_a, user=admin_a, kind=OBJECTIONS)
    assert "Raportați mai întâi problema" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.shipment_confirm_receipt(shipment=delivered, company=company_a, user=admin_a, kind="perfect")
    assert Shipment.objects.get(pk=delivered.pk).received_at is None


def test_a_problem_reported_on_the_way_also_means_objections_on_arrival(company_a, admin_a):
    shipment = ShipmentFactory(company=company_a)
    add_event(shipment, "livrare_esuata", hours_ago=20)
    services.shipment_report_problem(shipment=shipment, company=company_a, user=admin_a, description="Reprogramare")
    add_event(shipment, "livrata", hours_ago=1)
    assert shipment.receipt_kind_to_confirm == OBJECTIONS
    with pytest.raises(ValidationError):
        services.shipment_confirm_receipt(shipment=shipment, company=company_a, user=admin_a, kind=GOOD)


# --- the page ----------------------------------------------------------------------------------------------


def test_the_page_offers_only_objections_with_the_tickets_link(client, damaged, admin_a):
    ticket = Ticket.objects.get()
    client.force_login(admin_a)
    page = client.get(detail_url(damaged)).content.decode()
    assert "Confirm primirea cu obiecțiuni" in page and "Confirm primirea în stare bună" not in page
    assert 'name="kind" value="with_objections"' in page and 'value="good"' not in page
    ticket_url = reverse("support:detail", args=[ticket.public_id])
    assert f'<a href="{ticket_url}">{ticket.number}</a>' in page
    assert f"Obiecțiunile rămân în tichetul {ticket.number}." in page  # the confirmation dialog


def test_without_a_problem_the_page_offers_good_order(client, delivered, admin_a):
    client.force_login(admin_a)
    page = client.get(detail_url(delivered)).content.decode()
    assert "Confirm primirea în stare bună" in page and "cu obiecțiuni" not in page
    assert 'name="kind" value="good"' in page


def test_posting_good_order_after_a_problem_is_refused_with_a_message(client, damaged, admin_a):
    client.force_login(admin_a)
    response = client.post(confirm_url(damaged), {"confirm": "on", "kind": "good"}, follow=True)
    assert response.redirect_chain == [(detail_url(damaged), 302)]
    assert "primirea se poate confirma doar cu obiecțiuni" in response.content.decode()
    damaged.refresh_from_db()
    assert damaged.received_at is None and damaged.receipt_kind == ""


def test_posting_objections_confirms_and_the_page_links_the_ticket(client, damaged, admin_a):
    ticket = Ticket.objects.get()
    client.force_login(admin_a)
    response = client.post(confirm_url(damaged), {"confirm": "on", "kind": "with_objections"}, follow=True)
    page = response.content.decode()
    assert "Ați confirmat primirea expedierii EXP-2026-0300 cu obiecțiuni." in page
    assert "Primire confirmată cu obiecțiuni de Ana Popescu" in page
    assert f"Obiecțiunile: tichetul {ticket.number}" in page and "Confirm primirea" not in page
    damaged.refresh_from_db()
    assert (damaged.receipt_kind, damaged.received_by) == (OBJECTIONS, admin_a)
    listing = client.get(reverse("shipments:list")).content.decode()
    assert "primire confirmată cu obiecțiuni" in listing


def test_a_post_without_the_kind_or_with_a_bad_one_is_refused(client, damaged, admin_a):
    client.force_login(admin_a)
    assert client.post(confirm_url(damaged), {"confirm": "on"}).status_code == 400
    assert client.post(confirm_url(damaged), {"confirm": "on", "kind": "perfect"}).status_code == 400
    assert Shipment.objects.get(pk=damaged.pk).received_at is None


def test_the_detail_page_with_a_ticket_runs_fixed_queries(client, damaged, admin_a, django_assert_max_num_queries):
    client.force_login(admin_a)
    client.get(detail_url(damaged))
    with django_assert_max_num_queries(25):
        assert client.get(detail_url(damaged)).status_code == 200


# --- the ERP's pull list and the admin ---------------------------------------------------------------------


def test_the_pull_list_carries_the_kind_and_the_objections_ticket(client, damaged, delivered, company_a, admin_a):
    ticket = Ticket.objects.get()
    services.shipment_confirm_receipt(shipment=damaged, company=company_a, user=admin_a, kind=OBJECTIONS)
    good = ShipmentFactory(company=company_a)
    add_event(good, "livrata", hours_ago=1)
    services.shipment_confirm_receipt(shipment=good, company=company_a, user=admin_a, kind=GOOD)
    items = get_page(client, "/api/v1/shipment-reports", full_key())["items"]
    by_kind = {(item["shipment"]["number"], item["kind"]): item for item in items}
    problem = by_kind[(damaged.number, "problem_reported")]
    objections = by_kind[(damaged.number, "receipt_confirmed")]
    assert problem["receipt_kind"] is None
    assert objections["receipt_kind"] == "with_objections"
    assert objections["ticket"] == {"public_id": str(ticket.public_id), "number": ticket.number}
    in_good_order = by_kind[(good.number, "receipt_confirmed")]
    assert in_good_order["receipt_kind"] == "good" and in_good_order["ticket"] is None


def test_the_admin_lists_and_filters_by_the_receipts_kind(client, staff, damaged, company_a, admin_a):
    services.shipment_confirm_receipt(shipment=damaged, company=company_a, user=admin_a, kind=OBJECTIONS)
    good = ShipmentFactory(company=company_a, number="EXP-2026-0301")
    add_event(good, "livrata", hours_ago=1)
    services.shipment_confirm_receipt(shipment=good, company=company_a, user=admin_a, kind=GOOD)
    client.force_login(staff)
    changelist = reverse("admin:shipments_shipment_changelist")
    page = client.get(changelist + "?receipt_kind__exact=with_objections").content.decode()
    assert "EXP-2026-0300" in page and "EXP-2026-0301" not in page and "cu obiecțiuni" in page
    page = client.get(changelist + "?receipt_kind__exact=good").content.decode()
    assert "EXP-2026-0301" in page and "EXP-2026-0300" not in page
    change = client.get(reverse("admin:shipments_shipment_change", args=[damaged.pk])).content.decode()
    assert "cu obiecțiuni" in change
