"""The ERP pulls documents client users uploaded, with every version, and downloads any document's version."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import CompanyFactory, UserFactory
from billing.tests.factories import issued_invoice
from files.models import Document
from files.tests.factories import DocumentFactory, add_version, png_upload
from portal.models import AuditEntry
from shipments.tests.factories import ShipmentFactory
from tests.api_pull import assert_ascending, assert_refusals, full_key, get_page, walk

pytestmark = pytest.mark.django_db
UPLOADS = "/api/v1/client-uploads"


def at(minutes: int) -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def uploaded(company, *, minutes: int, **fields) -> Document:
    document = DocumentFactory(company=company, source=Document.Source.CLIENT, **fields)
    Document.objects.filter(pk=document.pk).update(updated_at=at(minutes))
    return document


def test_a_key_without_documents_read_and_bad_parameters_are_refused(client):
    assert_refusals(client, UPLOADS, scope="documents:read")


def test_a_client_upload_with_its_versions_and_link(client, company_a, admin_a):
    shipment = ShipmentFactory(company=company_a)
    document = uploaded(
        company_a, minutes=0, title="Aviz semnat", user=admin_a, linked=shipment, category="livrare", comment="prima"
    )
    add_version(document, png_upload("aviz-pagina-2.png"), user=admin_a, comment="a doua pagină")
    DocumentFactory(company=company_a)  # the supplier's: not a client upload
    headers = full_key()
    [item] = get_page(client, UPLOADS, headers)["items"]
    assert item["public_id"] == str(document.public_id) and item["title"] == "Aviz semnat"
    assert item["category"] == "livrare" and item["company"]["public_id"] == str(company_a.public_id)
    assert item["linked"] == {
        "type": "shipments.shipment",
        "public_id": str(shipment.public_id),
        "label": shipment.number,
    }
    assert item["created_by"] == {"name": "Ana Popescu", "email": "admin.a@client-a.ro"}
    assert [(v["number"], v["comment"], v["file"]["content_type"]) for v in item["versions"]] == [
        (1, "prima", "application/pdf"),
        (2, "a doua pagină", "image/png"),
    ]
    second = item["versions"][1]
    assert second["uploaded_by"]["email"] == "admin.a@client-a.ro"
    assert second["file"]["download_url"] == f"/api/v1/documents/{document.public_id}/versions/2"
    download = client.get(second["file"]["download_url"], **headers)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert AuditEntry.objects.filter(action="document.downloaded", data__version=2).exists()


def test_every_company_in_two_pages_without_gaps_or_repeats(client, company_a, company_b):
    made = [uploaded(company, minutes=n) for n, company in enumerate([company_a, company_b, company_a])]
    tied = uploaded(company_b, minutes=1)
    items, pages = walk(client, UPLOADS, full_key(), limit=2)
    assert pages == 2
    assert [i["public_id"] for i in items] == [str(d.public_id) for d in (made[0], made[1], tied, made[2])]
    assert_ascending(items)


def test_updated_since_and_a_new_version_brings_it_again(client, company_a):
    old = uploaded(company_a, minutes=0)
    new = uploaded(company_a, minutes=10)
    headers, since = full_key(), at(5).isoformat()
    assert [i["public_id"] for i in get_page(client, UPLOADS, headers, updated_since=since)["items"]] == [
        str(new.public_id)
    ]
    add_version(old)
    items = get_page(client, UPLOADS, headers, updated_since=since)["items"]
    assert [(i["public_id"], len(i["versions"])) for i in items] == [(str(new.public_id), 1), (str(old.public_id), 2)]


def test_unknown_documents_or_versions_are_404(client, company_a):
    document = DocumentFactory(company=company_a)
    headers = full_key()
    for path in [
        f"/api/v1/documents/{document.public_id}/versions/2",
        "/api/v1/documents/00000000-0000-0000-0000-000000000000/versions/1",
    ]:
        response = client.get(path, **headers)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path
    # the supplier's own documents download too (the ERP is the supplier)
    assert client.get(f"/api/v1/documents/{document.public_id}/versions/1", **headers).status_code == 200
    too_big = client.get(f"/api/v1/documents/{document.public_id}/versions/{10**30}", **headers)
    assert too_big.status_code == 400


def test_the_list_does_not_grow_in_queries_with_rows(client, django_assert_max_num_queries):
    company = CompanyFactory()
    user = UserFactory()
    links = [ShipmentFactory(company=company), issued_invoice(company), None]
    for n in range(24):
        document = uploaded(company, minutes=n, user=user, linked=links[n % 3])
        if n % 2:
            add_version(document, user=user)
    headers = full_key()
    get_page(client, UPLOADS, headers, limit=1)
    # the key, the documents, their versions, the shipments and invoices they are filed under
    with django_assert_max_num_queries(6):  # +1: the call's audit entry
        assert len(get_page(client, UPLOADS, headers, limit=500)["items"]) == 24
