"""The OpenAPI schema lists every pull endpoint, each list with its paging parameters and a page response."""

import pytest

from integrations.tests.factories import bearer, integration_key

pytestmark = pytest.mark.django_db

LISTS = {
    "/api/v1/quote-requests": "QuoteRequestPage",
    "/api/v1/offer-decisions": "OfferDecisionPage",
    "/api/v1/payment-notices": "PaymentNoticePage",
    "/api/v1/tickets": "TicketPage",
    "/api/v1/shipment-reports": "ShipmentReportPage",
    "/api/v1/client-uploads": "ClientUploadPage",
    "/api/v1/registrations": "RegistrationPage",
}
DOWNLOADS = [
    "/api/v1/quote-requests/{public_id}/attachments/{file_id}",
    "/api/v1/payment-notices/{public_id}/proof",
    "/api/v1/tickets/{public_id}/attachments/{attachment_id}",
    "/api/v1/documents/{public_id}/versions/{number}",
]


def test_the_schema_lists_every_pull_endpoint(client):
    schema = client.get("/api/v1/openapi.json", **bearer(integration_key()[1])).json()
    for path, page in LISTS.items():
        operation = schema["paths"][path]["get"]
        assert {p["name"] for p in operation["parameters"]} == {"updated_since", "cursor", "limit"}, path
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{page}"}, path
        assert set(schema["components"]["schemas"][page]["properties"]) == {"items", "next_cursor"}
        assert operation["summary"] and operation["description"], path
    for path in DOWNLOADS:
        assert "get" in schema["paths"][path], path
