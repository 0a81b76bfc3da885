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


def _numbers(company, start: int, count: int) -> list[dict]:
    return [invoice_body(company, number) for number in range(start, start + count)]


def _queries(client, key, invoices) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert push(client, key, *invoices).status_code == 200
    return len(captured)


def test_a_batch_costs_a_fixed_number_of_queries_whatever_its_size(client, key, company_a):
    """New invoices are checked one by one and inserted together (invoices, lines, audit entries); unchanged
    ones are recognised from the invoices the batch looked up once, with their lines."""
    push(client, key, invoice_body(company_a, 100))  # the key's first use is recorded once
    assert _queries(client, key, _numbers(company_a, 1, 5)) == _queries(client, key, _numbers(company_a, 6, 15))
    assert _queries(client, key, _numbers(company_a, 1, 5)) == _queries(client, key, _numbers(company_a, 6, 15))
    assert Invoice.objects.filter(company=company_a).count() == 21


def test_a_credit_note_in_the_batch_follows_the_invoice_it_reverses(client, key, company_a):
    storno = invoice_body(
        company_a,
        2,
        kind="storno",
        reverses="ERP 1",
        lines=[{"description": "Retur pompă", "quantity": "-1", "unit_price": "1500.00", "vat_rate": 21}],
    )
    results = push(client, key, storno, invoice_body(company_a, 1), invoice_body(company_a, 1)).json()["results"]
    assert [r["result"] for r in results] == ["created", "created", "unchanged"]
    assert Invoice.objects.get(number=1).credited == Decimal("1815.00")


def test_a_batch_sends_one_task_for_its_new_invoices(client, key, company_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        results = push(client, key, *_numbers(company_a, 1, 4)).json()["results"]
    assert [r["result"] for r in results] == ["created"] * 4
    task_callbacks = [c for c in callbacks if "enqueue" in getattr(c, "__qualname__", "")]
    assert len(task_callbacks) == 1
    assert all(invoice.pdf_id and invoice.xml_id for invoice in Invoice.objects.filter(company=company_a))


def test_a_batch_computes_the_same_totals_as_a_refresh(client, key, company_a):
    push(client, key, invoice_body(company_a, 1), invoice_body(company_a, 2, currency="EUR", exchange_rate="4.9771"))
    for invoice in Invoice.objects.filter(company=company_a):
        stored = (invoice.total_net, invoice.total_vat, invoice.total_gross, invoice.balance, invoice.status)
        refreshed = services.invoice_refresh(invoice=invoice)
        assert stored == (
            refreshed.total_net,
            refreshed.total_vat,
            refreshed.total_gross,
            refreshed.balance,
            refreshed.status,
        )
    first = Invoice.objects.get(number=1)
    assert first.total_gross == Decimal("3735.45") and first.status == Invoice.Status.ISSUED


def test_an_invoice_created_meanwhile_is_recognised_not_a_500(client, key, company_a, monkeypatch):
    """Another push created it after this batch looked its invoices up: the unique key refuses the insert,
    and the invoice is recognised as a single import would (unchanged)."""
    from billing import importer

    push(client, key, invoice_body(company_a, 1))
    monkeypatch.setattr(importer.Lookups, "known", lambda self, fields: None)  # "it was not there"
    results = push(client, key, invoice_body(company_a, 1), invoice_body(company_a, 2)).json()["results"]
    assert [r["result"] for r in results] == ["unchanged", "created"]
    assert Invoice.objects.filter(company=company_a).count() == 2


def test_a_batch_moves_an_invoice_to_its_project(client, key, company_a):
    from projects.tests.factories import ProjectFactory

    project = ProjectFactory(company=company_a, code="PRJ-ERP-1")
    push(client, key, invoice_body(company_a, 1))
    results = push(client, key, invoice_body(company_a, 1, project="PRJ-ERP-1")).json()["results"]
    assert results[0]["result"] == "updated" and Invoice.objects.get(number=1).project == project
