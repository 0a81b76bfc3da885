"""What bench/erp_push.py pushes is what the API accepts: every invoice created the first time, every one
"unchanged" the second, and a list endpoint is found in the schema (here at 30 invoices, not 10,000)."""

import json

import pytest

from bench import erp_push
from billing.models import Invoice

pytestmark = pytest.mark.django_db


def test_the_bench_payloads_are_created_then_unchanged(client, monkeypatch):
    monkeypatch.setattr(erp_push, "INVOICES", 30)
    monkeypatch.setattr(erp_push, "BATCH", 10)
    company = erp_push.company()
    bodies = erp_push.payloads(company)
    token = erp_push.key()
    assert len(bodies) == 3
    for expected in ("created", "unchanged"):
        results = set()
        for body in bodies:
            response = client.post(
                erp_push.BULK, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            assert response.status_code == 200, response.content
            results |= {(result["result"], tuple(result["errors"])) for result in response.json()["results"]}
        assert results == {(expected, ())}
    assert Invoice.objects.filter(company=company, series=erp_push.SERIES).count() == 30
    assert erp_push.company() == company  # found again by its CUI, not created twice
    assert erp_push.key() != token  # rotated: the previous key no longer opens the API
    erp_push.reset(company)
    assert not Invoice.objects.filter(company=company).exists()


def test_a_list_endpoint_is_picked_from_the_schema(client, monkeypatch):
    token = erp_push.key()

    def call(base, path, key, body=None):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {key}")
        return response.status_code, response.content

    monkeypatch.setattr(erp_push, "call", call)
    path = erp_push.list_endpoint("", token)
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    assert "cursor" in {parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]}
    if any(preferred in schema["paths"] for preferred in erp_push.LIST_PREFERENCE):
        assert path in erp_push.LIST_PREFERENCE
