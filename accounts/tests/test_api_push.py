"""Client companies pushed by the ERP: by CUI, checked like the admin, approval included."""

import pytest

from accounts.models import Company, Membership
from accounts.tests.factories import MembershipFactory, valid_cui
from integrations.tests.factories import bearer, integration_key

pytestmark = pytest.mark.django_db
BULK = "/api/v1/companies/bulk"


def company(cui: str, **changes) -> dict:
    data = {
        "cui": cui,
        "name": "Hidrotehnica Banat SRL",
        "reg_com": "J35/1234/2015",
        "address": "Str. Gării nr. 12",
        "city": "Timișoara",
        "county": "Timiș",
        "iban": "RO49AAAA1B31007593840000",
    }
    return {**data, **changes}


@pytest.fixture
def key():
    return integration_key(scopes=["companies:write"])[1]


def push(client, key, *companies):
    return client.post(BULK, {"companies": list(companies)}, content_type="application/json", **bearer(key))


def test_created_unchanged_updated(client, key):
    cui = valid_cui(901)
    assert push(client, key, company(cui)).json()["results"][0]["result"] == "created"
    created = Company.objects.get(cui=cui)
    assert created.status == "active" and created.approved_at is not None
    assert push(client, key, company(cui)).json()["results"][0]["result"] == "unchanged"
    # Without RO: the same company, no longer a VAT payer.
    assert push(client, key, company(cui.removeprefix("RO"))).json()["results"][0]["result"] == "updated"
    assert Company.objects.get(pk=created.pk).cui == cui.removeprefix("RO")


def test_bad_data_is_refused_field_by_field_and_blocks_no_other(client, key):
    bad = company("RO12345678", county="Atlantida", iban="RO00XXXX")
    results = push(client, key, bad, company(valid_cui(902))).json()["results"]
    assert [r["result"] for r in results] == ["rejected", "created"]
    text = " ".join(results[0]["errors"])
    assert "cui" in text and "iban" in text and "county" in text


def test_approving_a_pending_registration_activates_its_registrant(client, key):
    cui = valid_cui(903)
    pending = Company.objects.create(
        name="Nou SRL", cui=cui, address="Str. A 1", city="Cluj-Napoca", county="Cluj", status="pending"
    )
    registrant = MembershipFactory(company=pending, status=Membership.Status.PENDING, role="admin")
    result = push(client, key, company(cui, name="Nou SRL", city="Cluj-Napoca", county="Cluj")).json()["results"][0]
    assert result["result"] == "updated"
    assert Company.objects.get(pk=pending.pk).status == "active"
    assert Membership.objects.get(pk=registrant.pk).status == "active"
