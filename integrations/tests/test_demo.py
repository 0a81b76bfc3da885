import pytest

from integrations import demo
from integrations.tests.factories import bearer

pytestmark = pytest.mark.django_db


def test_the_demo_key_works_and_is_printed_with_the_logins(client):
    data: dict = {}
    demo.seed(data)
    demo.seed(data)  # idempotent
    assert (demo.DEMO_KEY, data["logins"][0][1]) in data["logins"]
    response = client.post(
        "/api/v1/invoices/bulk", {"invoices": []}, content_type="application/json", **bearer(demo.DEMO_KEY)
    )
    assert response.status_code == 400  # authenticated: the empty list is what is refused
