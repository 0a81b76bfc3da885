"""The ERP pulls payment notices clients announced, with the invoices they name and their proof."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.tests.factories import CompanyFactory
from billing import services
from billing.models import PaymentNotice, PaymentNoticeInvoice
from billing.tests.factories import issued_invoice
from files.tests.factories import StoredFileFactory
from portal.models import AuditEntry
from tests.api_pull import assert_ascending, assert_refusals, full_key, get_page, walk

pytestmark = pytest.mark.django_db
NOTICES = "/api/v1/payment-notices"


def at(minutes: int) -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def notice(company, *, minutes: int, user=None, invoices=(), **fields) -> PaymentNotice:
    made = PaymentNotice.objects.create(
        company=company,
        announced_by=user,
        paid_on=date(2026, 3, 1),
        amount=Decimal("1210.00"),
        reference=f"OP {minutes}",
        proof=StoredFileFactory(company=company, name="extras.pdf"),
        **fields,
    )
    PaymentNoticeInvoice.objects.bulk_create(
        [PaymentNoticeInvoice(company=company, notice=made, invoice=invoice) for invoice in invoices]
    )
    PaymentNotice.objects.filter(pk=made.pk).update(created_at=at(minutes))
    return made


def test_a_key_without_billing_read_and_bad_parameters_are_refused(client):
    assert_refusals(client, NOTICES, scope="billing:read")


def test_a_notice_with_its_invoices_and_proof(client, company_a, admin_a):
    invoice = issued_invoice(company_a, series="FCT", number=42)
    made = notice(company_a, minutes=0, user=admin_a, invoices=[invoice], message="Plata facturii FCT 42")
    headers = full_key()
    [item] = get_page(client, NOTICES, headers)["items"]
    assert item["public_id"] == str(made.public_id) and item["reference"] == "OP 0"
    assert (item["amount"], item["currency"], item["paid_on"]) == ("1210.00", "RON", "2026-03-01")
    assert item["status"] == "pending" and item["decided_at"] is None and item["message"] == "Plata facturii FCT 42"
    assert item["company"]["cui"] == company_a.cui
    assert item["invoices"] == [
        {"public_id": str(invoice.public_id), "series": "FCT", "number": 42, "label": invoice.label}
    ]
    assert item["announced_by"] == {"name": "Ana Popescu", "email": "admin.a@client-a.ro"}
    assert item["announced_at"] == item["updated_at"]
    proof = item["proof"]
    assert proof["name"] == "extras.pdf" and proof["download_url"] == f"{NOTICES}/{made.public_id}/proof"
    download = client.get(proof["download_url"], **headers)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert 'filename="dovada-plata-OP-0.pdf"' in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="payment_notice.proof_downloaded", company=company_a).exists()


def test_every_company_in_two_pages_without_gaps_or_repeats(client, company_a, company_b):
    made = [notice(company, minutes=n) for n, company in enumerate([company_a, company_b, company_a])]
    tied = notice(company_b, minutes=1)
    items, pages = walk(client, NOTICES, full_key(), limit=2)
    assert pages == 2
    assert [i["public_id"] for i in items] == [str(n.public_id) for n in (made[0], made[1], tied, made[2])]
    assert_ascending(items)


def test_a_decided_notice_comes_again_after_updated_since(client, company_a, staff):
    old = notice(company_a, minutes=0)
    notice(company_a, minutes=10)
    headers, since = full_key(), at(5).isoformat()
    assert [i["reference"] for i in get_page(client, NOTICES, headers, updated_since=since)["items"]] == ["OP 10"]
    services.notice_reject(notice=old, by=staff, reason="Suma nu a intrat în cont.")
    items = get_page(client, NOTICES, headers, updated_since=since)["items"]
    assert [(i["reference"], i["status"]) for i in items] == [("OP 10", "pending"), ("OP 0", "rejected")]
    assert (
        items[1]["rejection_reason"] == "Suma nu a intrat în cont." and items[1]["updated_at"] == items[1]["decided_at"]
    )


def test_an_unknown_notice_has_no_proof(client):
    response = client.get(f"{NOTICES}/00000000-0000-0000-0000-000000000000/proof", **full_key())
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_the_list_does_not_grow_in_queries_with_rows(client, django_assert_max_num_queries):
    company = CompanyFactory()
    invoices = [issued_invoice(company) for _ in range(3)]
    for n in range(30):
        notice(company, minutes=n, invoices=invoices[: n % 4])
    headers = full_key()
    get_page(client, NOTICES, headers, limit=1)
    # the key, the notices (with their company, user and proof), the invoices they name
    with django_assert_max_num_queries(4):  # +1: the call's audit entry
        assert len(get_page(client, NOTICES, headers, limit=500)["items"]) == 30
