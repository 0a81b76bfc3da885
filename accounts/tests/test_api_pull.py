"""The ERP pulls company registrations and requests to join, pending or decided (never a password)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts import services
from accounts.models import Company, Membership
from accounts.tests.factories import CompanyFactory, MembershipFactory, UserFactory, valid_cui
from tests.api_pull import assert_ascending, assert_refusals, full_key, get_page, walk

pytestmark = pytest.mark.django_db
REGISTRATIONS = "/api/v1/registrations"


def at(minutes: int) -> datetime:
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def pending(company, *, minutes: int, **fields) -> Membership:
    return MembershipFactory(
        company=company, status=Membership.Status.PENDING, requested_at=at(minutes), approved_at=None, **fields
    )


def sign_up(email: str, cui: str, *, verify: bool = True) -> Membership:
    user = UserFactory(email=email, first_name="Ioana", last_name="Marin", phone="0744 555 666")
    company_data = {
        "name": "Firma Nouă SRL",
        "cui": cui,
        "reg_com": "J40/1234/2021",
        "address": "Str. Morii nr. 3",
        "city": "Chitila",
        "county": "Ilfov",
        "iban": "",
    }
    membership = services.register_company_user(
        user=user, first_name="Ioana", last_name="Marin", phone="0744 555 666", company_data=company_data
    )
    if verify:
        services.registration_email_verified(user=user)
    return membership


def test_a_key_without_companies_read_and_bad_parameters_are_refused(client):
    assert_refusals(client, REGISTRATIONS, scope="companies:read")


def test_a_company_registration_and_a_request_to_join_it(client, staff):
    cui = valid_cui(9001)
    registration = sign_up("ioana@firma-noua.ro", cui)
    joining = sign_up("vlad@firma-noua.ro", cui.removeprefix("RO"))
    sign_up("neconfirmat@firma-noua.ro", cui, verify=False)  # has asked nothing yet
    headers = full_key()
    first, second = get_page(client, REGISTRATIONS, headers)["items"]
    assert first["public_id"] == str(registration.public_id) and second["public_id"] == str(joining.public_id)
    assert (first["kind"], first["status"], second["kind"], second["status"]) == (
        "company_registration",
        "pending",
        "join_request",
        "pending",
    )
    assert first["company"] == {
        "public_id": str(registration.company.public_id),
        "name": "Firma Nouă SRL",
        "cui": cui,
        "reg_com": "J40/1234/2021",
        "address": "Str. Morii nr. 3",
        "city": "Chitila",
        "county": "Ilfov",
        "iban": "",
        "status": "pending",
    }
    assert first["user"] == {"name": "Ioana Marin", "email": "ioana@firma-noua.ro", "phone": "0744 555 666"}
    assert first["decided_at"] is None and first["updated_at"] == first["requested_at"]
    assert "password" not in str(first) and "token" not in str(first)
    services.company_approve(company=registration.company, by=staff)
    items = get_page(client, REGISTRATIONS, headers, updated_since=second["requested_at"])["items"]
    # approved together, in the order of the requests
    assert [(i["kind"], i["status"], i["company"]["status"]) for i in items] == [
        ("company_registration", "approved", "active"),
        ("join_request", "approved", "active"),
    ]
    assert all(i["decided_at"] == i["updated_at"] for i in items)


def test_rejections_show_as_rejected(client, staff):
    rejected_company = sign_up("a@respinsa.ro", valid_cui(9002))
    services.company_reject(company=rejected_company.company, by=staff)
    refused = pending(CompanyFactory(), minutes=0)
    services.membership_reject(membership=refused, by=staff)
    items = {i["public_id"]: i for i in get_page(client, REGISTRATIONS, full_key())["items"]}
    assert items[str(rejected_company.public_id)]["status"] == "rejected"
    assert items[str(rejected_company.public_id)]["company"]["status"] == "rejected"
    assert items[str(refused.public_id)]["status"] == "rejected" and items[str(refused.public_id)]["decided_at"] is None


def test_every_request_in_two_pages_without_gaps_or_repeats(client):
    one, two = CompanyFactory(), CompanyFactory()
    made = [pending(company, minutes=n) for n, company in enumerate([one, two, one])]
    tied = pending(two, minutes=1)
    invited = MembershipFactory(company=one, requested_at=None)  # joined by invitation: not a request
    items, pages = walk(client, REGISTRATIONS, full_key(), limit=2)
    assert pages == 2
    assert [i["public_id"] for i in items] == [str(m.public_id) for m in (made[0], made[1], tied, made[2])]
    assert str(invited.public_id) not in str(items)
    assert_ascending(items)


def test_updated_since(client):
    company = CompanyFactory(status=Company.Status.ACTIVE)
    pending(company, minutes=0)
    later = pending(company, minutes=10)
    items = get_page(client, REGISTRATIONS, full_key(), updated_since=at(10).isoformat())["items"]
    assert [i["public_id"] for i in items] == [str(later.public_id)]


def test_the_list_is_one_query_whatever_its_length(client, django_assert_max_num_queries):
    for n in range(30):
        pending(CompanyFactory(), minutes=n)
    headers = full_key()
    get_page(client, REGISTRATIONS, headers, limit=1)
    with django_assert_max_num_queries(3):  # +1: the call's audit entry
        assert len(get_page(client, REGISTRATIONS, headers)["items"]) == 30
