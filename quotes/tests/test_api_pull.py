"""The ERP pulls quote requests (lines, address, attachments) and offer decisions by cursor."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import CompanyFactory
from files.tests.factories import StoredFileFactory
from portal.models import AuditEntry
from quotes import services
from quotes.models import Offer, QuoteRequest
from quotes.tests.factories import OfferFactory, ProductFactory, QuoteRequestFactory
from tests.api_pull import assert_ascending, assert_refusals, full_key, get_page, walk

pytestmark = pytest.mark.django_db
REQUESTS, DECISIONS = "/api/v1/quote-requests", "/api/v1/offer-decisions"


def at(minutes: int) -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def quote_request(company, *, minutes: int, **fields) -> QuoteRequest:
    made = QuoteRequestFactory(company=company, **fields)
    QuoteRequest.objects.filter(pk=made.pk).update(updated_at=at(minutes))
    return made


def decided(company, *, minutes: int, status=Offer.Status.ACCEPTED, **fields) -> Offer:
    return OfferFactory(company=company, status=status, decided_at=at(minutes), **fields)


@pytest.mark.parametrize("path", [REQUESTS, DECISIONS])
def test_a_key_without_offers_read_and_bad_parameters_are_refused(client, path):
    assert_refusals(client, path, scope="offers:read")


def test_a_request_with_its_lines_address_and_attachments(client, company_a, admin_a):
    made = QuoteRequestFactory(company=company_a, created_by=admin_a, lines=2)
    line = made.lines.get(position=1)
    line.product = ProductFactory(code="CP-200")
    line.save()
    made.attachments.add(StoredFileFactory(company=company_a, name="caiet-de-sarcini.pdf"))
    headers = full_key()
    item = get_page(client, REQUESTS, headers)["items"][0]
    assert item["public_id"] == str(made.public_id) and item["number"] == made.number
    assert item["company"] == {"public_id": str(company_a.public_id), "cui": company_a.cui, "name": company_a.name}
    assert item["status"] == "submitted" and item["cancelled_at"] is None and item["cancelled_by"] is None
    assert item["requested_by"] == {"name": "Ana Popescu", "email": "admin.a@client-a.ro"}
    assert item["delivery_option"] == "address" and item["delivery_address"].startswith("Str. Fabricii nr. 12")
    assert item["notes"] == made.remarks
    assert [(li["position"], li["product_code"], li["quantity"], li["unit"]) for li in item["lines"]] == [
        (1, "CP-200", "4.000", "buc"),
        (2, None, "4.000", "buc"),
    ]
    [attachment] = item["attachments"]
    assert attachment["name"] == "caiet-de-sarcini.pdf" and attachment["content_type"] == "application/pdf"
    download = client.get(attachment["download_url"], **headers)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["X-Content-Type-Options"] == "nosniff"
    entry = AuditEntry.objects.get(action="quote_request.attachment_downloaded")
    assert entry.data["integration"].startswith("ERP citire") and entry.company == company_a
    assert "password" not in str(item)


def test_every_company_in_two_pages_without_gaps_or_repeats(client, company_a, company_b):
    made = [quote_request(company, minutes=n) for n, company in enumerate([company_a, company_b, company_a])]
    # the same time for two requests: the id breaks the tie, across the page boundary
    tied = quote_request(company_b, minutes=1)
    items, pages = walk(client, REQUESTS, full_key(), limit=2)
    assert pages == 2
    assert [item["number"] for item in items] == [made[0].number, made[1].number, tied.number, made[2].number]
    assert_ascending(items)


def test_updated_since_and_a_cancelled_request_comes_again(client, company_a, admin_a):
    old, new = quote_request(company_a, minutes=0), quote_request(company_a, minutes=10)
    since, headers = at(5).isoformat(), full_key()
    assert [i["number"] for i in get_page(client, REQUESTS, headers, updated_since=since)["items"]] == [new.number]
    services.request_cancel(quote_request=old, user=admin_a)
    items = get_page(client, REQUESTS, headers, updated_since=since)["items"]
    assert [(i["number"], i["status"]) for i in items] == [(new.number, "submitted"), (old.number, "cancelled")]
    assert items[1]["cancelled_by"]["email"] == "admin.a@client-a.ro"


def test_unknown_or_foreign_attachment_ids_are_404(client, company_a):
    made, other = QuoteRequestFactory(company=company_a), QuoteRequestFactory(company=company_a)
    stored = StoredFileFactory(company=company_a)
    other.attachments.add(stored)
    headers = full_key()
    for path in [
        f"{REQUESTS}/{made.public_id}/attachments/{stored.public_id}",
        f"{REQUESTS}/00000000-0000-0000-0000-000000000000/attachments/{stored.public_id}",
        f"{REQUESTS}/{other.public_id}/attachments/00000000-0000-0000-0000-000000000000",
    ]:
        response = client.get(path, **headers)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path
    assert client.get(f"{REQUESTS}/{made.public_id}/attachments/nu-e-uuid", **headers).status_code == 400


def test_the_request_list_does_not_grow_in_queries_with_rows(client, django_assert_max_num_queries):
    company = CompanyFactory()
    for n in range(30):
        made = quote_request(company, minutes=n, lines=3)
        made.attachments.add(StoredFileFactory(company=company), StoredFileFactory(company=company))
    headers = full_key()
    get_page(client, REQUESTS, headers, limit=1)  # the key's first use is recorded once a minute
    # the key, the requests, their lines, their attachments
    with django_assert_max_num_queries(5):  # +1: the call's audit entry
        assert len(get_page(client, REQUESTS, headers, limit=500)["items"]) == 30


def test_decisions_by_clients_with_who_and_why(client, company_a, admin_a):
    offer = OfferFactory(company=company_a, request=QuoteRequestFactory(company=company_a))
    services.offer_reject(offer_id=offer.pk, company=company_a, user=admin_a, reason="Prețul e prea mare.")
    OfferFactory(company=company_a)  # sent, not decided: not a decision
    [item] = get_page(client, DECISIONS, full_key())["items"]
    offer.refresh_from_db()
    assert item["public_id"] == str(offer.public_id) and (item["number"], item["revision"]) == (offer.number, 1)
    assert item["decision"] == "rejected" and item["reason"] == "Prețul e prea mare."
    assert item["decided_by"] == {"name": "Ana Popescu", "email": "admin.a@client-a.ro"}
    assert item["quote_request"] == offer.request.number and item["company"]["cui"] == company_a.cui
    assert item["total_gross"] == "4840.00" and item["currency"] == "RON"
    assert item["decided_at"] == item["updated_at"]


def test_decisions_in_pages_and_since(client, company_a, company_b):
    made = [decided(company, minutes=n) for n, company in enumerate([company_a, company_b, company_a])]
    made.append(decided(company_b, minutes=3, status=Offer.Status.REJECTED))
    headers = full_key()
    items, pages = walk(client, DECISIONS, headers, limit=2)
    assert pages == 2 and [i["public_id"] for i in items] == [str(o.public_id) for o in made]
    assert_ascending(items)
    recent = get_page(client, DECISIONS, headers, updated_since=at(2).isoformat())["items"]
    assert [i["decision"] for i in recent] == ["accepted", "rejected"]


def test_the_decision_list_is_one_query(client, django_assert_max_num_queries):
    for n in range(25):
        decided(CompanyFactory(), minutes=n, request=None, lines=0)
    headers = full_key()
    get_page(client, DECISIONS, headers, limit=1)
    with django_assert_max_num_queries(3):  # +1: the call's audit entry
        assert len(get_page(client, DECISIONS, headers)["items"]) == 25
