import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Company, Membership
from accounts.tests.factories import MembershipFactory
from portal.tenancy import SESSION_KEY, company_member_required

BILLING = "billing:invoice_list"


def dashboard(client):
    return client.get(reverse("dashboard:home"))


def header_company(response) -> str:
    """The company name drawn in the header badge."""
    page = response.content.decode()
    start = page.index('class="company-name">') + len('class="company-name">')
    return page[start : page.index("<", start)]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = dashboard(client)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/"


@pytest.mark.django_db
def test_pending_user_is_sent_to_the_pending_page(client, pending_user, company_a):
    client.force_login(pending_user)
    response = dashboard(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:pending")
    response = client.get(reverse("accounts:pending"))
    page = response.content.decode()
    # Which CUI the request is for (what the registrant typed), nothing more: not even the company's name.
    assert company_a.cui_digits in page and company_a.name not in page
    assert response.context["nav_sections"] == []


@pytest.mark.django_db
def test_staff_without_membership_is_sent_to_admin(client, staff):
    client.force_login(staff)
    response = dashboard(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_member_sees_only_their_company_in_the_header(client, member_a, member_b, company_a, company_b):
    client.force_login(member_a)
    response = dashboard(client)

    assert response.status_code == 200
    assert response.context["current_company"] == company_a
    assert header_company(response) == company_a.name
    page = response.content.decode()
    assert company_b.name not in page
    assert reverse("accounts:switch_company") not in page  # one company: no switcher


@pytest.mark.django_db
def test_active_member_visiting_pending_page_goes_to_dashboard(client, member_a):
    client.force_login(member_a)
    assert client.get(reverse("accounts:pending"))["Location"] == reverse("dashboard:home")


@pytest.mark.django_db
def test_user_of_two_companies_switches_and_the_header_follows(client, member_b, company_a, company_b):
    MembershipFactory(user=member_b, company=company_a)
    client.force_login(member_b)

    response = dashboard(client)
    # Without a choice, the first membership (by company name) is active: Agroserv < Termoplast.
    assert header_company(response) == company_a.name
    assert f'value="{company_b.public_id}"' in response.content.decode()  # the switcher offers the other one

    response = client.post(reverse("accounts:switch_company"), {"company": str(company_b.public_id)})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert client.session[SESSION_KEY] == str(company_b.public_id)
    response = dashboard(client)
    assert header_company(response) == company_b.name
    assert response.context["current_membership"].role == Membership.Role.ADMIN
    assert reverse(BILLING) in response.content.decode()  # admin of B sees billing

    client.post(reverse("accounts:switch_company"), {"company": str(company_a.public_id)})
    response = dashboard(client)
    assert header_company(response) == company_a.name
    assert client.get(reverse(BILLING)).status_code == 403  # plain member of A


@pytest.mark.django_db
def test_cannot_switch_to_a_company_without_active_membership(client, member_a, company_a, company_b, pending_user):
    client.force_login(member_a)
    response = client.post(reverse("accounts:switch_company"), {"company": str(company_b.public_id)})
    assert response.status_code == 404
    assert client.session.get(SESSION_KEY) != str(company_b.public_id)
    assert dashboard(client).context["current_company"] == company_a

    client.force_login(pending_user)
    response = client.post(reverse("accounts:switch_company"), {"company": str(company_a.public_id)})
    assert response.status_code == 404
    assert client.post(reverse("accounts:switch_company"), {}).status_code == 404


@pytest.mark.django_db
def test_switch_company_with_a_malformed_id_is_404(client, member_a):
    client.force_login(member_a)
    client.raise_request_exception = False
    assert client.post(reverse("accounts:switch_company"), {"company": "not-a-uuid"}).status_code == 404


@pytest.mark.django_db
def test_a_stale_company_in_the_session_falls_back_to_an_active_membership(client, member_b, company_a, company_b):
    membership = MembershipFactory(user=member_b, company=company_a)
    client.force_login(member_b)
    client.post(reverse("accounts:switch_company"), {"company": str(company_a.public_id)})
    membership.delete()
    assert dashboard(client).context["current_company"] == company_b


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Company.Status.SUSPENDED, Company.Status.REJECTED, Company.Status.PENDING])
def test_members_of_an_inactive_company_are_sent_to_pending(client, admin_a, member_a, company_a, status):
    Company.objects.filter(pk=company_a.pk).update(status=status)
    for user in (admin_a, member_a):
        client.force_login(user)
        assert dashboard(client)["Location"] == reverse("accounts:pending")
        assert client.get(reverse(BILLING))["Location"] == reverse("accounts:pending")
        assert client.get(reverse("accounts:members"))["Location"] == reverse("accounts:pending")


@pytest.mark.django_db
def test_suspended_company_is_explained_on_the_pending_page(client, member_a, company_a):
    Company.objects.filter(pk=company_a.pk).update(status=Company.Status.SUSPENDED)
    client.force_login(member_a)
    assert "acces suspendat" in client.get(reverse("accounts:pending")).content.decode()


@pytest.mark.django_db
def test_deactivated_user_is_not_a_member(member_a):
    member_a.is_active = False
    member_a.save()
    assert Membership.objects.active().filter(user=member_a).count() == 0


@pytest.mark.django_db
def test_billing_needs_the_billing_right(client, admin_a, member_a, company_a):
    client.force_login(member_a)
    assert client.get(reverse(BILLING)).status_code == 403

    client.force_login(admin_a)
    assert client.get(reverse(BILLING)).status_code == 200

    billing_member = MembershipFactory(company=company_a, can_see_billing=True).user
    client.force_login(billing_member)
    assert client.get(reverse(BILLING)).status_code == 200
    assert reverse(BILLING) in dashboard(client).content.decode()


@pytest.mark.django_db
def test_navigation_of_a_plain_member_has_no_billing_link(client, member_a, admin_a):
    client.force_login(member_a)
    response = dashboard(client)
    page = response.content.decode()
    assert f'href="{reverse(BILLING)}"' not in page
    assert "billing" not in [section.key for section in response.context["nav_sections"]]
    assert f'href="{reverse("quotes:offer_list")}"' in page
    assert f'href="{reverse("accounts:members")}"' not in page  # no "Colegi și drepturi" either

    client.force_login(admin_a)
    page = dashboard(client).content.decode()
    assert f'href="{reverse(BILLING)}"' in page
    assert f'href="{reverse("accounts:members")}"' in page


@pytest.mark.django_db
def test_has_right_semantics(company_a):
    admin = MembershipFactory.build(company=company_a, role=Membership.Role.ADMIN)
    plain = MembershipFactory.build(company=company_a)
    offers = MembershipFactory.build(company=company_a, can_accept_offers=True)
    billing = MembershipFactory.build(company=company_a, can_see_billing=True)

    assert all(admin.has_right(right) for right in Membership.RIGHTS)
    assert not any(plain.has_right(right) for right in Membership.RIGHTS)
    assert offers.has_right("accept_offers") and not offers.has_right("billing")
    assert billing.has_right("billing") and not billing.has_right("accept_offers")
    # Managing colleagues is the admin role's alone, whatever the flags.
    everything = MembershipFactory.build(company=company_a, can_accept_offers=True, can_see_billing=True)
    assert not everything.has_right("manage_members")
    with pytest.raises(ValueError, match="Unknown right"):
        admin.has_right("delete_everything")


@pytest.mark.django_db
def test_company_member_required_with_an_object_in_the_url_answers_404_without_membership(pending_user):
    @company_member_required
    def detail(request, public_id):
        raise AssertionError("must not be reached")

    request = RequestFactory().get("/x/")
    request.user = pending_user
    request.membership = None
    request.session = {}

    with pytest.raises(Http404):
        detail(request, public_id="00000000-0000-0000-0000-000000000000")


def test_a_child_row_takes_its_company_from_its_parent(company_a, company_b):
    from contracts.tests.factories import AnnexFactory, ContractFactory

    annex = AnnexFactory(contract=ContractFactory(company=company_a), company=company_b)  # a wrong company given
    annex.refresh_from_db()
    assert annex.company == company_a
