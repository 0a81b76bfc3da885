"""Client pages: list (on the way first, filters), detail, receipt confirmation, problem reports."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import require
from files.services import document_create
from files.tests.factories import jpeg_bytes, pdf_bytes
from shipments import services
from shipments.models import Shipment
from shipments.tests.factories import CarrierFactory, ShipmentFactory, ShipmentItemFactory, add_event
from support.models import Ticket
from tests.threads import run_together


def detail_url(shipment) -> str:
    return reverse("shipments:detail", args=[shipment.public_id])


@pytest.fixture
def delivered(company_a):
    shipment = ShipmentFactory(company=company_a, number="EXP-2026-0200", awb="2150000000200")
    ShipmentItemFactory(shipment=shipment, product="Pompă centrifugală CP-200", quantity=2)
    ShipmentItemFactory(shipment=shipment, product="Cablu electric", quantity="12.5", unit="m")
    add_event(shipment, "expediata", hours_ago=48, place="Depozit furnizor, Chiajna")
    add_event(shipment, "in_tranzit", hours_ago=30, place="Hub Ștefăneștii de Jos")
    add_event(shipment, "livrata", hours_ago=2, place="Ploiești")
    return shipment


def test_list_shows_what_is_on_the_way_first(client, admin_a, company_a):
    done = ShipmentFactory(company=company_a, number="DONE")
    add_event(done, "expediata", hours_ago=5)
    add_event(done, "livrata", hours_ago=1)
    ShipmentFactory(company=company_a, number="PREP")
    moving = ShipmentFactory(company=company_a, number="MOVING")
    add_event(moving, "in_tranzit", hours_ago=50)
    failed = ShipmentFactory(company=company_a, number="FAILED")
    add_event(failed, "livrare_esuata", hours_ago=3)
    client.force_login(admin_a)
    page = client.get(reverse("shipments:list")).content.decode()
    assert page.index("FAILED") < page.index("MOVING") < page.index("PREP") < page.index("DONE")


def test_list_filters_by_status_and_period(client, admin_a, company_a):
    today = timezone.localdate()
    old = ShipmentFactory(company=company_a, number="OLD-ONE", planned_ship_date=today - timedelta(days=100))
    add_event(old, "expediata", at=timezone.now() - timedelta(days=90))
    add_event(old, "livrata", at=timezone.now() - timedelta(days=88))
    recent = ShipmentFactory(company=company_a, number="RECENT-ONE", planned_ship_date=today - timedelta(days=3))
    add_event(recent, "in_tranzit", hours_ago=50)
    ShipmentFactory(company=company_a, number="PLANNED-ONE", planned_ship_date=today + timedelta(days=4))
    client.force_login(admin_a)

    def listed(**params):
        page = client.get(reverse("shipments:list"), params).content.decode()
        return {n for n in ("OLD-ONE", "RECENT-ONE", "PLANNED-ONE") if n in page}

    assert listed() == {"OLD-ONE", "RECENT-ONE", "PLANNED-ONE"}
    assert listed(status="livrata") == {"OLD-ONE"}
    assert listed(status="pe_drum") == {"RECENT-ONE"}
    assert listed(status="in_pregatire") == {"PLANNED-ONE"}
    assert listed(date_from=(today - timedelta(days=10)).isoformat()) == {"RECENT-ONE", "PLANNED-ONE"}
    assert listed(
        date_from=(today - timedelta(days=95)).isoformat(), date_to=(today - timedelta(days=1)).isoformat()
    ) == {"OLD-ONE", "RECENT-ONE"}
    page = client.get(
        reverse("shipments:list"), {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    )
    assert "Sfârșitul perioadei este înaintea începutului." in page.content.decode()


def test_another_company_sees_nothing(client, member_b, delivered):
    client.force_login(member_b)
    assert delivered.number not in client.get(reverse("shipments:list")).content.decode()
    assert client.get(detail_url(delivered)).status_code == 404
    confirm = reverse("shipments:confirm_receipt", args=[delivered.public_id])
    assert client.post(confirm, {"confirm": "on", "kind": "good"}).status_code == 404
    report = reverse("shipments:report_problem", args=[delivered.public_id])
    assert client.post(report, {"description": "Lipsește un colet din două."}).status_code == 404
    delivered.refresh_from_db()
    assert delivered.received_at is None and delivered.problem_ticket_id is None
    assert not Ticket.objects.exists()


def test_detail_shows_timeline_items_tracking_link_and_documents(client, member_a, company_a, staff, delivered):
    document_create(
        company=company_a,
        title="Aviz de însoțire 4512",
        user=staff,
        linked=delivered,
        category="livrare",
        uploaded=SimpleUploadedFile("aviz.pdf", pdf_bytes()),
    )
    client.force_login(member_a)
    page = client.get(detail_url(delivered)).content.decode()
    assert page.index("Hub Ștefăneștii de Jos") > page.index("Ploiești")  # newest first
    assert "Pompă centrifugală CP-200" in page and "12,5 m" in page
    assert (
        'href="https://www.fancourier.ro/awb-tracking/?tracking=2150000000200" target="_blank" '
        'rel="noopener noreferrer"'
    ) in page
    assert "Aviz de însoțire 4512" in page
    assert "Confirm primirea" in page and "data-confirm=" in page


def test_confirm_receipt_records_who_and_when_once(client, admin_a, member_a, delivered):
    url = reverse("shipments:confirm_receipt", args=[delivered.public_id])
    client.force_login(member_a)
    response = client.post(url, {"confirm": "on", "kind": "good"})
    assert response.status_code == 302 and response["Location"] == detail_url(delivered)
    delivered.refresh_from_db()
    first_at = delivered.received_at
    assert delivered.received_by == member_a and first_at is not None
    page = client.get(detail_url(delivered)).content.decode()
    assert "Primire confirmată de Mihai Ionescu" in page and "Confirm primirea" not in page

    client.force_login(admin_a)
    response = client.post(url, {"confirm": "on", "kind": "good"}, follow=True)
    assert "fusese deja confirmată de Mihai Ionescu" in response.content.decode()
    delivered.refresh_from_db()
    assert (delivered.received_by, delivered.received_at) == (member_a, first_at)


def test_only_a_delivered_shipment_can_be_confirmed(client, admin_a, company_a):
    shipment = ShipmentFactory(company=company_a)
    add_event(shipment, "in_tranzit", hours_ago=2)
    client.force_login(admin_a)
    assert "Confirm primirea" not in client.get(detail_url(shipment)).content.decode()
    url = reverse("shipments:confirm_receipt", args=[shipment.public_id])
    response = client.post(url, {"confirm": "on", "kind": "good"}, follow=True)
    assert "doar pentru o expediere livrată" in response.content.decode()
    assert client.post(url).status_code == 400  # not from the confirmation form
    shipment.refresh_from_db()
    assert shipment.received_at is None


def test_a_problem_report_opens_exactly_one_ticket(client, admin_a, member_a, company_a, delivered):
    url = reverse("shipments:report_problem", args=[delivered.public_id])
    client.force_login(member_a)
    assert client.get(url).status_code == 200
    photo = SimpleUploadedFile("colet.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(url, {"description": "Un colet a sosit cu ambalajul rupt.", "attachments": [photo]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("support:detail", args=[ticket.public_id])
    assert (ticket.company, ticket.opened_by, ticket.category, ticket.priority) == (
        company_a,
        member_a,
        "livrare",
        "ridicata",
    )
    assert ticket.linked == delivered and "EXP-2026-0200" in ticket.subject
    assert "ambalajul rupt" in ticket.description and "2150000000200" in ticket.description
    assert ticket.attachments.count() == 1
    delivered.refresh_from_db()
    assert delivered.problem_ticket_id == ticket.public_id and delivered.problem_reported_at

    # A double submit, or a colleague reporting the same shipment: the same ticket.
    client.force_login(admin_a)
    response = client.post(url, {"description": "Lipsește și cablul electric."})
    assert response.status_code == 302 and str(ticket.public_id) in response["Location"]
    assert Ticket.objects.count() == 1
    page = client.get(detail_url(delivered)).content.decode()
    assert "Vedeți tichetul de suport" in page and "Raportați o problemă" not in page
    assert "Vedeți tichetul" in client.get(url).content.decode()
    # The ticket links back to the shipment.
    ticket_page = client.get(reverse("support:detail", args=[ticket.public_id])).content.decode()
    assert f'href="{detail_url(delivered)}"' in ticket_page


def test_a_problem_report_is_validated_and_saves_nothing_on_error(client, admin_a, delivered, settings):
    url = reverse("shipments:report_problem", args=[delivered.public_id])
    client.force_login(admin_a)
    response = client.post(url, {"description": "rupt"})
    assert response.status_code == 200 and "cel puțin 10 caractere" in response.content.decode()
    fake = SimpleUploadedFile("poza.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post(url, {"description": "Un colet a sosit deteriorat.", "attachments": [fake]})
    assert response.status_code == 200
    too_many = [SimpleUploadedFile(f"p{i}.pdf", pdf_bytes()) for i in range(6)]
    response = client.post(url, {"description": "Un colet a sosit deteriorat.", "attachments": too_many})
    assert "cel mult 5 fișiere" in response.content.decode()
    assert not Ticket.objects.exists()
    delivered.refresh_from_db()
    assert delivered.problem_ticket_id is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reports_at_once_open_one_ticket(admin_a, member_a, company_a):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    shipment = ShipmentFactory(company=company_a)
    add_event(shipment, "livrata", hours_ago=1)
    results = run_together(
        [
            lambda user=user: services.shipment_report_problem(
                shipment=shipment, company=company_a, user=user, description="Colet deteriorat la livrare."
            )
            for user in (admin_a, member_a)
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors
    assert sorted(created for _id, created in results) == [False, True]
    assert Ticket.objects.count() == 1 and len({ticket_id for ticket_id, _ in results}) == 1


# --- fixed number of queries ----------------------------------------------------------------------


def test_list_runs_fixed_queries(client, admin_a, company_a, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            shipment = ShipmentFactory(company=company_a, carrier=CarrierFactory(code=f"c{i % 3}", name=f"C{i % 3}"))
            add_event(shipment, ["in_tranzit", "livrata", "pregatita"][i % 3], hours_ago=i + 1)

    add(3)
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("shipments:list"))
    add(60)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("shipments:list"), {"status": ""})
    assert "Pagina 1 din 3" in response.content.decode()


def test_detail_runs_fixed_queries(client, admin_a, company_a, staff, django_assert_max_num_queries):
    shipment = ShipmentFactory(company=company_a, contract=None)

    def add(n):
        count = shipment.events.count()
        for i in range(n):
            ShipmentItemFactory(shipment=shipment, product=f"Produs {count + i}")
            add_event(shipment, "in_tranzit", hours_ago=500 - count - i, place=f"Hub {count + i}")
            document_create(
                company=company_a,
                title=f"Fotografie colet {count + i}",
                user=staff,
                linked=shipment,
                uploaded=SimpleUploadedFile("colet.pdf", pdf_bytes()),
            )

    add(1)
    client.force_login(admin_a)
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(shipment))
    add(30)
    with django_assert_max_num_queries(len(few)):
        page = client.get(detail_url(shipment)).content.decode()
    assert "Hub 30" in page and "Produs 30" in page and "Fotografie colet 30" in page
    assert Shipment.objects.get(pk=shipment.pk).events.count() == 31
