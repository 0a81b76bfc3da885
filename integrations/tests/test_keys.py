"""Who may call the API: a key (never a session), within its scopes, networks and rate limit; every error
is a problem document."""

import pytest
from django.urls import reverse

from integrations.models import Integration
from integrations.services import integration_revoke, integration_rotate_key
from integrations.tests.factories import bearer, integration_key
from portal.models import AuditEntry

pytestmark = pytest.mark.django_db
BULK = "/api/v1/invoices/bulk"


def test_the_key_is_kept_hashed_and_shown_once():
    integration, key = integration_key()
    stored = Integration.objects.get(pk=integration.pk)
    assert key.startswith("erp_") and key not in (stored.key_hash, stored.key_prefix) and len(stored.key_hash) == 64
    assert key.startswith(stored.key_prefix)


@pytest.mark.parametrize("header", [{}, {"HTTP_AUTHORIZATION": "Bearer erp_wrong"}, {"HTTP_AUTHORIZATION": "Basic x"}])
def test_without_a_good_key_401_as_a_problem(client, header):
    response = client.post(BULK, {"invoices": []}, content_type="application/json", **header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json" and response.json()["status"] == 401


def test_a_client_session_never_authenticates_an_api_call(client, admin_a):
    client.force_login(admin_a)
    assert client.post(BULK, {"invoices": []}, content_type="application/json").status_code == 401


def test_a_key_never_opens_a_client_page(client):
    _integration, key = integration_key()
    response = client.get(reverse("billing:invoice_list"), **bearer(key))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_revoked_or_rotated_key_is_refused(client):
    integration, key = integration_key()
    new_key = integration_rotate_key(integration=integration)
    assert client.post(BULK, {"invoices": []}, content_type="application/json", **bearer(key)).status_code == 401
    integration_revoke(integration=integration)
    assert client.post(BULK, {"invoices": []}, content_type="application/json", **bearer(new_key)).status_code == 401


def test_outside_its_scope_or_network_403(client):
    _integration, key = integration_key(scopes=["billing:read"], name="citire")
    response = client.post(BULK, {"invoices": [{}]}, content_type="application/json", **bearer(key))
    # the body is checked first (400); a valid body without the scope is 403
    assert response.status_code == 400
    _integration, other = integration_key(networks="10.0.0.0/8", name="retea")
    response = client.post(BULK, {"invoices": []}, content_type="application/json", **bearer(other))
    assert response.status_code == 403 and "address" in response.json()["detail"]


def test_over_the_rate_limit_429_with_retry_after(client, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    _integration, key = integration_key()
    answers = [client.post(BULK, {"invoices": []}, content_type="application/json", **bearer(key)) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [400, 400]
    assert answers[2].status_code == 429 and 0 < int(answers[2]["Retry-After"]) <= 60


def test_the_schema_is_public_to_keys_and_the_reference_page_to_staff(client, staff, admin_a):
    _integration, key = integration_key()
    schema = client.get("/api/v1/openapi.json", **bearer(key))
    assert schema.status_code == 200 and "/api/v1/invoices/bulk" in schema.json()["paths"]
    client.force_login(admin_a)
    assert client.get("/api/v1/docs").status_code == 302
    client.force_login(staff)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"cdn" not in page.content.lower()


def test_each_call_names_the_integration_in_the_audit_log(client, company_a):
    integration, key = integration_key(name="SAP producție")
    invoice = {
        "cui": company_a.cui,
        "series": "API",
        "number": 1,
        "issue_date": "2026-11-02",
        "due_date": "2026-12-02",
        "lines": [{"description": "Pompă", "quantity": "1", "unit_price": "100.00", "vat_rate": 21}],
    }
    response = client.post(BULK, {"invoices": [invoice]}, content_type="application/json", **bearer(key))
    assert response.json()["results"][0]["result"] == "created"
    entry = AuditEntry.objects.get(action="invoice.imported")
    assert entry.data["integration"] == "SAP producție"
    assert Integration.objects.get(pk=integration.pk).last_used_at is not None


def test_a_body_over_the_limit_is_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _integration, key = integration_key()
    body = {"invoices": [{"notes": "x" * 2000}]}
    response = client.post(BULK, body, content_type="application/json", **bearer(key))
    assert response.status_code == 413 and response.json()["status"] == 413


def test_an_unknown_route_under_the_api_is_a_problem_not_a_page(client):
    _integration, key = integration_key()
    response = client.get("/api/v1/nu-exista", **bearer(key))
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_every_call_is_in_the_audit_log_with_its_address(client):
    _integration, key = integration_key(name="ERP citire")
    client.get("/api/v1/registrations", REMOTE_ADDR="203.0.113.7", **bearer(key))
    entry = AuditEntry.objects.get(action="api.call")
    assert entry.data == {"integration": "ERP citire", "method": "GET", "path": "/api/v1/registrations", "status": 200}
    assert entry.ip == "203.0.113.7"


def test_a_nul_character_anywhere_in_the_body_or_query_is_a_400_not_a_500(client):
    _integration, key = integration_key()
    body = '{"companies": [{"cui": "RO1\\u0000", "name": "x", "address": "a", "city": "c", "county": "Cluj"}]}'
    response = client.post("/api/v1/companies/bulk", body, content_type="application/json", **bearer(key))
    assert response.status_code == 400 and "U+0000" in response.json()["errors"][0]["message"]
    assert client.get("/api/v1/registrations?updated_since=%00", **bearer(key)).status_code == 400
