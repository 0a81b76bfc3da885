"""The header's search across sections: without diacritics, within each section's rights, in a fixed number
of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.tests.factories import issued_invoice
from contracts.tests.factories import ContractFactory
from dashboard.tests.test_dashboard import fill
from files.tests.factories import DocumentFactory
from projects.tests.factories import ProjectFactory, TaskFactory
from quotes.tests.factories import ProductFactory, QuoteRequestFactory, sent_offer
from shipments.tests.factories import ShipmentFactory
from support.tests.factories import TicketFactory

URL = reverse("dashboard:search")
SUGGESTIONS = reverse("dashboard:search_suggestions")


@pytest.fixture
def rows(company_a, admin_a):
    """One row of each section, named with diacritics."""
    project = ProjectFactory(company=company_a, code="PRJ-2026-014", name="Stație de epurare Ploiești")
    return {
        "project": project,
        "task": TaskFactory(company=company_a, project=project, title="Montaj pompă submersibilă"),
        "ticket": TicketFactory(company=company_a, opened_by=admin_a, subject="Problemă: stație de pompare oprită"),
        "invoice": issued_invoice(company_a, series="FCT", number=1024),
        "shipment": ShipmentFactory(company=company_a, number="EXP-2026-0420", awb="1Z999AA10123456784"),
        "contract": ContractFactory(company=company_a, number="CTR-88", title="Mentenanță stație de pompare"),
        "document": DocumentFactory(company=company_a, title="Fișă tehnică pompă CP-200"),
        "offer": sent_offer(
            company_a, lines=[{"description": "Pompă centrifugală CP-200", "quantity": "2", "unit_price": "2450.50"}]
        ),
        "request": QuoteRequestFactory(company=company_a),
    }


def keys(response) -> list[str]:
    return [group.key for group in response.context["groups"]]


def titles(response, key: str) -> list[str]:
    return [hit.title for group in response.context["groups"] if group.key == key for hit in group.hits]


def test_finds_without_diacritics_in_every_section(client, admin_a, rows):
    client.force_login(admin_a)
    response = client.get(URL, {"q": "statie"})
    assert response.status_code == 200
    assert keys(response) == ["projects", "contracts", "tickets"]
    assert titles(response, "projects") == ["PRJ-2026-014 — Stație de epurare Ploiești"]
    response = client.get(URL, {"q": "POMPA"})
    assert set(keys(response)) >= {"offers", "tasks", "tickets", "contracts", "documents"}
    assert titles(response, "documents") == ["Fișă tehnică pompă CP-200"]
    assert f"/fisiere/{rows['document'].public_id}/" in response.content.decode()


def test_finds_an_invoice_by_number_and_a_shipment_by_awb(client, admin_a, rows):
    client.force_login(admin_a)
    assert titles(client.get(URL, {"q": "FCT 1024"}), "invoices") == ["FCT 1024"]
    for typed in ("1024", "fct-1024", "FCT1024", "fct 1024 "):
        assert titles(client.get(URL, {"q": typed}), "invoices") == ["FCT 1024"], typed
    for typed in ("FCT 1025", "102", "FCX 1024"):
        assert titles(client.get(URL, {"q": typed}), "invoices") == [], typed
    response = client.get(URL, {"q": "1z999aa1012"})
    assert titles(response, "shipments") == ["EXP-2026-0420"]
    assert "AWB 1Z999AA10123456784" in response.content.decode()


def test_a_member_without_the_billing_right_finds_no_invoices(client, member_a, rows):
    client.force_login(member_a)
    response = client.get(URL, {"q": "FCT 1024"})
    assert keys(response) == []
    assert str(rows["invoice"].public_id) not in response.content.decode()
    data = client.get(SUGGESTIONS, {"q": "FCT 1024"}).json()
    assert data["groups"] == []
    # The rest is theirs as for anyone.
    assert keys(client.get(URL, {"q": "statie"})) == ["projects", "contracts", "tickets"]


def test_nothing_of_another_company(client, member_b, rows):
    client.force_login(member_b)
    for query in ("statie", "FCT 1024", "1Z999AA10123456784", "pompa"):
        assert keys(client.get(URL, {"q": query})) == [], query


def test_suggestions_are_json_with_links(client, admin_a, rows):
    client.force_login(admin_a)
    data = client.get(SUGGESTIONS, {"q": "1Z999AA10123456784"}).json()
    assert data["groups"] == [
        {
            "key": "shipments",
            "label": "Expedieri",
            "hits": [
                {
                    "title": "EXP-2026-0420",
                    "detail": data["groups"][0]["hits"][0]["detail"],
                    "url": f"/expedieri/{rows['shipment'].public_id}/",
                }
            ],
            "more_url": "",
        }
    ]
    assert data["results_url"] == f"{URL}?q=1Z999AA10123456784"


def test_short_or_empty_queries_ask_nothing(client, admin_a, rows, django_assert_max_num_queries):
    client.force_login(admin_a)
    client.get(URL)
    with django_assert_max_num_queries(4):  # session, user, memberships: no section is asked
        response = client.get(URL, {"q": "p"})
    assert "cel puțin două caractere" in response.content.decode()
    assert client.get(URL).status_code == 200
    assert client.get(SUGGESTIONS, {"q": "\x00"}).json()["groups"] == []


def test_more_hits_link_to_the_filtered_list_or_to_the_one_section(client, admin_a, company_a):
    client.force_login(admin_a)
    for number in range(7):
        TicketFactory(company=company_a, opened_by=admin_a, subject=f"Stație {number}")
        issued_invoice(company_a, series="FST", number=700 + number)
    response = client.get(URL, {"q": "statie"})
    assert len(titles(response, "tickets")) == 5
    assert f'href="{reverse("support:list")}?q=statie"' in response.content.decode()
    response = client.get(URL, {"q": "FST"})
    assert len(titles(response, "invoices")) == 5
    assert f'href="{URL}?q=FST&amp;sectiune=invoices"' in response.content.decode()
    response = client.get(URL, {"q": "FST", "sectiune": "invoices"})
    assert keys(response) == ["invoices"] and len(titles(response, "invoices")) == 7


# Session, user, memberships (3) + one query per group (9), whatever the number of rows.
SEARCH_QUERY_CEILING = 12


def count_queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": query})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [URL, SUGGESTIONS])
def test_a_fixed_number_of_queries_with_thousands_of_rows(client, admin_a, company_a, url):
    fill(company_a, admin_a, 3)
    client.force_login(admin_a)
    client.get(url, {"q": "1"})
    few = count_queries(client, url, "1")
    fill(company_a, admin_a, 1500)
    many = count_queries(client, url, "1")
    assert many == few <= SEARCH_QUERY_CEILING, (few, many)


def test_a_document_is_found_by_its_file_name_and_within_its_rights(client, admin_a, member_a, rows):
    client.force_login(admin_a)
    assert titles(client.get(URL, {"q": "document-cp-200.pdf"}), "documents") == ["Fișă tehnică pompă CP-200"]
    assert titles(client.get(URL, {"q": "fisa document-cp"}), "documents") == ["Fișă tehnică pompă CP-200"]
    rows["document"].category = "financiar"
    rows["document"].save(update_fields=["category"])
    client.force_login(member_a)  # financial documents need the billing right, as in Fișiere
    assert titles(client.get(URL, {"q": "fisa tehnica"}), "documents") == []


@pytest.mark.parametrize(
    ("path", "typed", "found", "other"),
    [
        ("projects:list", "statie", "Stație de epurare Ploiești", "Modernizare hală"),
        ("projects:list", "STATIE", "Stație de epurare Ploiești", "Modernizare hală"),
        ("support:list", "problema", "Problemă: stație de pompare oprită", "Acces pentru un coleg"),
        ("files:list", "fisa tehnica", "Fișă tehnică pompă CP-200", "Aviz de însoțire"),
    ],
)
def test_every_list_search_ignores_diacritics_and_case(client, admin_a, company_a, rows, path, typed, found, other):
    ProjectFactory(company=company_a, code="PRJ-2026-015", name="Modernizare hală")
    TicketFactory(company=company_a, opened_by=admin_a, subject="Acces pentru un coleg")
    DocumentFactory(company=company_a, title="Aviz de însoțire")
    client.force_login(admin_a)
    page = client.get(reverse(path), {"q": typed}).content.decode()
    assert found in page and other not in page
    assert other in client.get(reverse(path)).content.decode()


def test_the_catalogue_search_ignores_diacritics(client, admin_a):
    ProductFactory(code="PS-4", name="Pompă submersibilă 4 kW")
    ProductFactory(code="RS-25", name="Robinet sferic inox DN25")
    client.force_login(admin_a)
    results = client.get(reverse("quotes:product_search"), {"q": "POMPA submersibila"}).json()["results"]
    assert [product["code"] for product in results] == ["PS-4"]
