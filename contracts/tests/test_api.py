"""Contracts pushed by the ERP: created, updated, unchanged; annexes by number; each contract on its own."""

import pytest

from contracts.models import Contract
from integrations.tests.factories import bearer, integration_key

pytestmark = pytest.mark.django_db
BULK = "/api/v1/contracts/bulk"


def body(company, number="CTR-2026-101", **changes) -> dict:
    contract = {
        "cui": company.cui,
        "number": number,
        "title": "Contract de mentenanță pompe",
        "kind": "mentenanta",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "value": "54000.00",
        "annexes": [{"number": 1, "title": "Prelungire", "effective_date": "2026-11-01", "new_end_date": "2027-06-30"}],
    }
    return {**contract, **changes}


@pytest.fixture
def key():
    return integration_key(scopes=["contracts:write"])[1]


def push(client, key, *contracts):
    return client.post(BULK, {"contracts": list(contracts)}, content_type="application/json", **bearer(key))


def test_created_then_unchanged_then_updated(client, key, company_a):
    assert push(client, key, body(company_a)).json()["results"][0]["result"] == "created"
    contract = Contract.objects.get(number="CTR-2026-101")
    assert str(contract.current_end_date) == "2027-06-30" and contract.annexes.count() == 1
    assert push(client, key, body(company_a)).json()["results"][0]["result"] == "unchanged"
    changed = body(company_a, value="60000.00")
    changed["annexes"].append(
        {"number": 2, "title": "Majorare", "effective_date": "2026-12-01", "value_change": "5000"}
    )
    assert push(client, key, changed).json()["results"][0]["result"] == "updated"
    contract.refresh_from_db()
    assert str(contract.current_value) == "65000.00" and contract.annexes.count() == 2


def test_a_bad_contract_blocks_none_of_the_others(client, key, company_a):
    bad = body(company_a, number="CTR-RAU", end_date="2025-01-01")  # ends before it starts
    unknown = body(company_a, number="CTR-X", cui="RO1")
    results = push(client, key, bad, body(company_a), unknown).json()["results"]
    assert [r["result"] for r in results] == ["rejected", "created", "rejected"]
    assert "end_date" in " ".join(results[0]["errors"]) or "sfârșit" in " ".join(results[0]["errors"]).lower()
    assert list(Contract.objects.values_list("number", flat=True)) == ["CTR-2026-101"]


def test_the_scope_is_checked(client, company_a):
    _integration, key = integration_key(scopes=["contracts:read"], name="citire")
    assert push(client, key, body(company_a)).status_code == 403
