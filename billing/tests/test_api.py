"""Invoices pushed by the ERP through the API: the import's validation path, idempotent, per-object results,
e-Factura originals in base64, 409 on an issued invoice's fiscal fields."""

import base64
from decimal import Decimal

import pytest

from billing import services
from billing.models import Invoice
from integrations.tests.factories import bearer, integration_key

pytestmark = pytest.mark.django_db
BULK = "/api/v1/invoices/bulk"


def invoice_body(company, number: int, **changes) -> dict:
    body = {
        "cui": company.cui,
        "series": "ERP",
        "number": number,
        "issue_date": "2026-11-02",
        "due_date": "2026-12-02",
        "lines": [
            {
                "code": "CP-200",
                "description": "Pompă centrifugală",
                "quantity": "2",
                "unit_price": "1500.00",
                "vat_rate": 21,
            },
            {"description": "Manual tehnic", "quantity": "1", "unit_price": "95.00", "vat_rate": 11},
        ],
    }
    return {**body, **changes}


@pytest.fixture
def key():
    return integration_key()[1]


def push(client, key, *invoices):
    return client.post(BULK, {"invoices": list(invoices)}, content_type="application/json", **bearer(key))


def test_bulk_reports_each_invoice_and_a_bad_one_blocks_none(client, key, company_a):
    bad = invoice_body(
        company_a, 2, lines=[{"description": "Fără cotă", "quantity": "1", "unit_price": "10", "vat_rate": 19}]
    )
    response = push(client, key, invoice_body(company_a, 1), bad, invoice_body(company_a, 3))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["key"], r["result"], r["status"]) for r in results] == [
        ("ERP 1", "created", 201),
        ("ERP 2", "rejected", 400),
        ("ERP 3", "created", 201),
    ]
    assert "cota" in results[1]["errors"][0].lower()
    assert set(Invoice.objects.values_list("number", flat=True)) == {1, 3}
    again = push(client, key, invoice_body(company_a, 1), invoice_body(company_a, 3)).json()["results"]
    assert [r["result"] for r in again] == ["unchanged", "unchanged"]


def test_changing_an_issued_invoice_is_a_conflict(client, key, company_a):
    url = "/api/v1/invoices/ERP/7"
    created = client.put(url, invoice_body(company_a, 7), content_type="application/json", **bearer(key))
    assert created.status_code == 201 and created.json()["result"] == "created"
    changed = client.put(
        url, invoice_body(company_a, 7, due_date="2026-12-20"), content_type="application/json", **bearer(key)
    )
    assert changed.status_code == 409 and changed["Content-Type"] == "application/problem+json"
    assert "due_date" in changed.json()["detail"]
    assert str(Invoice.objects.get(number=7).due_date) == "2026-12-02"


def test_schema_errors_list_every_field(client, key, company_a):
    body = invoice_body(company_a, 8, issue_date="ieri", lines=[{"quantity": "x", "unit_price": "-1", "vat_rate": 21}])
    response = push(client, key, body)
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"invoices.0.issue_date", "invoices.0.lines.0.description", "invoices.0.lines.0.quantity"} <= fields
    assert not Invoice.objects.exists()


def test_originals_in_base64_are_checked_like_the_import(client, key, company_a):
    push(client, key, invoice_body(company_a, 9))
    invoice = Invoice.objects.get(number=9)
    xml = services.invoice_xml_bytes(invoice)
    good = invoice_body(
        company_a,
        9,
        efactura={"upload_index": "4100000009", "status": "validated", "xml_base64": base64.b64encode(xml).decode()},
    )
    assert push(client, key, good).json()["results"][0]["result"] == "updated"
    broken = invoice_body(company_a, 9, efactura={"xml_base64": base64.b64encode(b"<Invoice/>").decode()})
    result = push(client, key, broken).json()["results"][0]
    assert result["result"] == "conflict" or "XSD" in " ".join(result["errors"])


def test_a_key_without_billing_write_is_403(client, company_a):
    _integration, key = integration_key(scopes=["billing:read"], name="doar citire")
    response = push(client, key, invoice_body(company_a, 10))
    assert response.status_code == 403 and "billing:write" in response.json()["detail"]


def test_over_a_thousand_invoices_is_400(client, key, company_a):
    response = push(client, key, *[invoice_body(company_a, n) for n in range(1, 1002)])
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "invoices"


def test_payments_are_upserted_by_reference_with_their_allocations(client, key, company_a):
    push(client, key, invoice_body(company_a, 21))
    payment = {
        "cui": company_a.cui,
        "reference": "OP 4411",
        "date": "2026-11-20",
        "amount": "1000.00",
        "allocations": [{"invoice": "ERP 21", "amount": "1000.00"}],
    }
    url = "/api/v1/payments/bulk"

    def send(*payments):
        return client.post(url, {"payments": list(payments)}, content_type="application/json", **bearer(key))

    assert send(payment).json()["results"][0]["result"] == "created"
    assert send(payment).json()["results"][0]["result"] == "unchanged"
    too_much = {**payment, "reference": "OP 4412", "allocations": [{"invoice": "ERP 21", "amount": "9000.00"}]}
    unknown = {**payment, "reference": "OP 4413", "allocations": [{"invoice": "ERP 999", "amount": "1.00"}]}
    results = send(too_much, unknown).json()["results"]
    assert [r["result"] for r in results] == ["rejected", "rejected"]
    assert "ERP 999" in results[1]["errors"][0]
    assert Invoice.objects.get(number=21).amount_paid == Decimal("1000.00")
