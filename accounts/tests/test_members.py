import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.tests.factories import InvitationFactory, MembershipFactory
from accounts.views import MEMBERS_PER_PAGE
from portal.models import AuditEntry


def membership_of(user, company):
    return Membership.objects.get(user=user, company=company)


def rights(membership):
    membership.refresh_from_db()
    return membership.role, membership.can_accept_offers, membership.can_see_billing, membership.job_title


@pytest.mark.django_db
def test_admin_edits_a_members_role_and_rights(client, admin_a, member_a, company_a):
    membership = membership_of(member_a, company_a)
    client.force_login(admin_a)
    url = reverse("accounts:member_edit", args=[membership.public_id])

    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["role"] == Membership.Role.MEMBER

    response = client.post(url, {"role": "member", "can_see_billing": "on", "job_title": "Contabil"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:members")
    assert rights(membership) == (Membership.Role.MEMBER, False, True, "Contabil")
    entry = AuditEntry.objects.get(action="membership.updated")
    assert (entry.company, entry.user, entry.object_id) == (company_a, admin_a, str(membership.public_id))
    assert entry.ip == "127.0.0.1"
    assert entry.data["before"] == {"role": "member", "can_accept_offers": False, "can_see_billing": False}
    assert entry.data["after"] == {"role": "member", "can_accept_offers": False, "can_see_billing": True}

    # The new right takes effect on the member's next request.
    client.force_login(member_a)
    assert client.get(reverse("billing:invoice_list")).status_code == 200


@pytest.mark.django_db
def test_admin_promotes_a_member_to_admin(client, admin_a, member_a, company_a):
    membership = membership_of(member_a, company_a)
    client.force_login(admin_a)
    client.post(reverse("accounts:member_edit", args=[membership.public_id]), {"role": "admin"})

    assert rights(membership)[0] == Membership.Role.ADMIN
    client.force_login(member_a)
    assert client.get(reverse("accounts:members")).status_code == 200


@pytest.mark.django_db
def test_edit_with_bad_input_is_a_form_error(client, admin_a, member_a, company_a):
    membership = membership_of(member_a, company_a)
    client.force_login(admin_a)
    response = client.post(reverse("accounts:member_edit", args=[membership.public_id]), {"role": "owner"})

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert rights(membership) == (Membership.Role.MEMBER, False, False, "")
    assert not AuditEntry.objects.filter(action="membership.updated").exists()


@pytest.mark.django_db
def test_the_last_admin_cannot_demote_themself(client, admin_a, member_a, company_a):
    membership = membership_of(admin_a, company_a)
    client.force_login(admin_a)

    response = client.post(reverse("accounts:member_edit", args=[membership.public_id]), {"role": "member"})

    assert response.status_code == 200
    assert "cel puțin un administrator" in " ".join(response.context["form"].non_field_errors())
    assert rights(membership) == (Membership.Role.ADMIN, True, True, "")
    assert not AuditEntry.objects.filter(action="membership.updated").exists()


@pytest.mark.django_db
def test_an_admin_can_step_down_when_another_admin_remains(client, admin_a, company_a):
    MembershipFactory(company=company_a, role=Membership.Role.ADMIN)
    membership = membership_of(admin_a, company_a)
    client.force_login(admin_a)

    response = client.post(reverse("accounts:member_edit", args=[membership.public_id]), {"role": "member"})

    assert response.status_code == 302
    assert rights(membership)[0] == Membership.Role.MEMBER
    # No longer allowed to manage members.
    assert client.get(reverse("accounts:members")).status_code == 403


@pytest.mark.django_db
def test_a_pending_admin_does_not_count_as_the_remaining_admin(client, admin_a, company_a):
    MembershipFactory(company=company_a, role=Membership.Role.ADMIN, status=Membership.Status.PENDING)
    membership = membership_of(admin_a, company_a)
    client.force_login(admin_a)

    response = client.post(reverse("accounts:member_edit", args=[membership.public_id]), {"role": "member"})

    assert response.status_code == 200
    assert rights(membership)[0] == Membership.Role.ADMIN


@pytest.mark.django_db
def test_editing_a_pending_membership_is_404(client, admin_a, pending_user, company_a):
    membership = membership_of(pending_user, company_a)
    client.force_login(admin_a)
    response = client.post(reverse("accounts:member_edit", args=[membership.public_id]), {"role": "admin"})
    assert response.status_code == 404
    assert rights(membership)[0] == Membership.Role.MEMBER


@pytest.mark.django_db
def test_admin_removes_a_member_who_then_waits_on_the_pending_page(client, admin_a, member_a, company_a):
    membership = membership_of(member_a, company_a)
    client.force_login(admin_a)

    response = client.post(reverse("accounts:member_remove", args=[membership.public_id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:members")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action="membership.removed")
    assert (entry.company, entry.user, entry.object_id) == (company_a, admin_a, str(membership.public_id))
    assert entry.data == {"email": member_a.email}

    client.force_login(member_a)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:pending")


@pytest.mark.django_db
def test_a_removed_member_loses_access_within_the_same_session(client, admin_a, member_a, company_a):
    client.force_login(member_a)
    assert client.get(reverse("dashboard:home")).status_code == 200
    Membership.objects.filter(user=member_a).delete()
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accounts:pending")


@pytest.mark.django_db
def test_admin_cannot_remove_themself(client, admin_a, company_a):
    MembershipFactory(company=company_a, role=Membership.Role.ADMIN)  # not even when another admin remains
    membership = membership_of(admin_a, company_a)
    client.force_login(admin_a)

    response = client.post(reverse("accounts:member_remove", args=[membership.public_id]), follow=True)

    assert Membership.objects.filter(pk=membership.pk).exists()
    assert "Nu vă puteți elimina singur din companie." in response.content.decode()
    assert not AuditEntry.objects.filter(action="membership.removed").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["accounts:member_edit", "accounts:member_remove", "accounts:member_approve", "accounts:member_reject"]
)
def test_another_companys_membership_is_404(client, admin_a, member_b, company_b, url_name):
    membership = membership_of(member_b, company_b)
    client.force_login(admin_a)

    response = client.post(reverse(url_name, args=[membership.public_id]), {"role": "member"})

    assert response.status_code == 404
    assert rights(membership)[0] == Membership.Role.ADMIN
    assert membership.status == Membership.Status.ACTIVE
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["accounts:member_edit", "accounts:member_remove"])
def test_plain_member_gets_403(client, member_a, admin_a, company_a, url_name):
    membership = membership_of(admin_a, company_a)
    client.force_login(member_a)
    assert client.post(reverse(url_name, args=[membership.public_id]), {"role": "member"}).status_code == 403
    assert rights(membership)[0] == Membership.Role.ADMIN
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["accounts:member_remove", "accounts:member_approve", "accounts:member_reject", "accounts:invitation_revoke"],
)
def test_get_on_post_only_routes_is_405(client, admin_a, member_a, company_a, url_name):
    membership = membership_of(member_a, company_a)
    client.force_login(admin_a)
    assert client.get(reverse(url_name, args=[membership.public_id])).status_code == 405
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_get_on_switch_company_is_405(client, member_a):
    client.force_login(member_a)
    assert client.get(reverse("accounts:switch_company")).status_code == 405


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, member_a, company_a):
    membership = membership_of(member_a, company_a)
    for url in (reverse("accounts:members"), reverse("accounts:member_edit", args=[membership.public_id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Measured with 3 members: session, user, the user's memberships (with the bell's unread count and the
# company switcher, portal.tenancy.active_memberships), paginator count, page, pending requests, invitations.
MEMBERS_PAGE_QUERIES = 7


@pytest.mark.django_db
def test_members_page_query_count_does_not_grow_with_members(
    client, admin_a, member_a, company_a, django_assert_max_num_queries
):
    MembershipFactory(company=company_a, can_see_billing=True)
    client.force_login(admin_a)
    url = reverse("accounts:members")
    client.get(url)  # the first request after login records the session's start (a session write)
    assert count_queries(client, url) == MEMBERS_PAGE_QUERIES

    MembershipFactory.create_batch(57, company=company_a, job_title="Inginer")
    MembershipFactory.create_batch(6, company=company_a, status=Membership.Status.PENDING)
    for n in range(5):
        InvitationFactory(company=company_a, invited_by=admin_a, email=f"invitat{n}@client-a.ro")
    # Other companies' members are neither listed nor counted.
    MembershipFactory.create_batch(3)
    with django_assert_max_num_queries(MEMBERS_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 60
    assert len(page.object_list) == MEMBERS_PER_PAGE == 50
    assert page.has_next()
    assert len(response.context["waiting"]) == 6
    assert "Pagina 1 din 2" in response.content.decode()

    assert len(response.context["invitations"]) == 5
    with django_assert_max_num_queries(MEMBERS_PAGE_QUERIES):
        response = client.get(url, {"page": 2})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 10


@pytest.mark.django_db
def test_members_page_lists_only_the_own_company(client, admin_a, member_a, member_b, company_a):
    client.force_login(admin_a)
    page = client.get(reverse("accounts:members")).content.decode()
    assert member_a.email in page
    assert member_b.email not in page
