""" "Solicită reînnoire": a contract within its notice period asks the supplier for a renewal offer."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Contract
from contracts.tests.factories import ContractFactory
from quotes import services as quote_services
from quotes.models import QuoteRequest
from quotes.tests.factories import OfferFactory, QuoteRequestFactory


def ending_in(days: int, **fields):
    end = timezone.localdate() + timedelta(days=days)
    return {"end_date": end, "current_end_date": end, **fields}


def renewal_url(contract):
    return reverse("contracts:renewal", args=[contract.public_id])


@pytest.fixture
def expiring(company_a):
    return ContractFactory(company=company_a, title="Mentenanță stații de pompare", **ending_in(20))


def test_the_renewal_window_is_the_notice_period(company_a, settings):
    settings.CONTRACT_EXPIRING_SOON_DAYS = 60
    assert ContractFactory(company=company_a, **ending_in(60)).in_renewal_window
    assert ContractFactory(company=company_a, **ending_in(0)).in_renewal_window
    assert not ContractFactory(company=company_a, **ending_in(61)).in_renewal_window
    assert not ContractFactory(company=company_a, **ending_in(-1)).in_renewal_window  # already expired
    assert not ContractFactory(company=company_a, end_date=None, current_end_date=None).in_renewal_window
    assert not ContractFactory(company=company_a, status=Contract.Status.TERMINATED, **ending_in(20)).in_renewal_window


def test_a_renewal_request_is_prefilled_linked_and_staff_are_told(
    company_a, admin_a, expiring, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    with django_capture_on_commit_callbacks(execute=True):
        made = services.contract_request_renewal(
            contract_id=expiring.pk, company=company_a, user=admin_a, remarks="Încă 12 luni."
        )
    assert made.origin_contract == expiring and made.origin_offer is None and made.remarks == "Încă 12 luni."
    [line] = made.lines.all()
    assert (line.description, str(line.quantity), line.unit) == ("Mentenanță stații de pompare", "1.000", "contract")
    assert expiring.number in line.note
    assert made.delivery_option == "address" and company_a.address in made.delivery_address
    [mail] = [m for m in mailoutbox if m.to == ["vanzari@furnizor.ro"]]
    assert made.number in mail.subject and f"reînnoirea contractului {expiring.number}" in mail.body


def test_the_delivery_of_the_offer_it_came_from_is_kept(company_a, admin_a):
    origin = QuoteRequestFactory(company=company_a, delivery_option="pickup", lines=0)
    contract = ContractFactory(
        company=company_a, offer=OfferFactory(company=company_a, request=origin), **ending_in(10)
    )
    made = services.contract_request_renewal(contract_id=contract.pk, company=company_a, user=admin_a)
    assert (made.delivery_option, made.delivery_address) == ("pickup", "")


@pytest.mark.parametrize("days", [200, -5])
def test_outside_the_notice_period_it_is_refused(company_a, admin_a, days):
    contract = ContractFactory(company=company_a, **ending_in(days))
    with pytest.raises(ValidationError):
        services.contract_request_renewal(contract_id=contract.pk, company=company_a, user=admin_a)
    assert not QuoteRequest.objects.exists()


def test_a_second_open_renewal_is_refused(company_a, admin_a, expiring):
    first = services.contract_request_renewal(contract_id=expiring.pk, company=company_a, user=admin_a)
    with pytest.raises(quote_services.FollowUpExists) as refused:
        services.contract_request_renewal(contract_id=expiring.pk, company=company_a, user=admin_a)
    assert refused.value.existing == first
    quote_services.request_close(quote_request=first, by=admin_a)  # staff closed it: a new one may be asked
    assert services.contract_request_renewal(contract_id=expiring.pk, company=company_a, user=admin_a) != first


def test_the_service_checks_the_right_and_the_company(company_a, company_b, member_a, admin_a, member_b, expiring):
    with pytest.raises(PermissionDenied):
        services.contract_request_renewal(contract_id=expiring.pk, company=company_a, user=member_a)
    with pytest.raises(Contract.DoesNotExist):
        services.contract_request_renewal(contract_id=expiring.pk, company=company_b, user=member_b)
    assert not QuoteRequest.objects.exists()


def test_the_button_shows_only_within_the_window_and_with_the_right(client, admin_a, member_a, company_a, expiring):
    later = ContractFactory(company=company_a, **ending_in(200))
    client.force_login(admin_a)
    page = client.get(reverse("contracts:detail", args=[expiring.public_id])).content.decode()
    assert renewal_url(expiring) in page and "Solicită reînnoire" in page
    assert renewal_url(later) not in client.get(reverse("contracts:detail", args=[later.public_id])).content.decode()
    client.force_login(member_a)
    page = client.get(reverse("contracts:detail", args=[expiring.public_id])).content.decode()
    assert renewal_url(expiring) not in page and "colegii care acceptă oferte" in page
    assert client.get(renewal_url(expiring)).status_code == 403
    assert client.post(renewal_url(expiring)).status_code == 403
    assert not QuoteRequest.objects.exists()


def test_another_company_gets_404(client, member_b, expiring):
    client.force_login(member_b)
    assert client.get(renewal_url(expiring)).status_code == 404
    assert client.post(renewal_url(expiring)).status_code == 404
    assert not QuoteRequest.objects.exists()


def test_it_confirms_first_then_links_both_ways(client, admin_a, expiring):
    client.force_login(admin_a)
    page = client.get(renewal_url(expiring)).content.decode()
    assert "Solicitați reînnoirea contractului?" in page and "Mentenanță stații de pompare" in page
    assert not QuoteRequest.objects.exists()
    response = client.post(renewal_url(expiring), {"remarks": "Aceleași condiții."})
    made = QuoteRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()
    page = client.get(made.get_absolute_url()).content.decode()
    assert "Cerere de reînnoire a contractului" in page
    assert reverse("contracts:detail", args=[expiring.public_id]) in page
    page = client.get(reverse("contracts:detail", args=[expiring.public_id])).content.decode()
    assert made.get_absolute_url() in page and renewal_url(expiring) not in page


def test_a_refused_or_second_post_explains(client, admin_a, company_a, expiring):
    later = ContractFactory(company=company_a, **ending_in(200))
    client.force_login(admin_a)
    response = client.post(renewal_url(later), follow=True)
    assert "doar în perioada dinaintea expirării" in response.content.decode()
    first = services.contract_request_renewal(contract_id=expiring.pk, company=company_a, user=admin_a)
    response = client.post(renewal_url(expiring), follow=True)
    assert response.redirect_chain[-1][0] == first.get_absolute_url()
    assert f"Există deja o cerere de reînnoire deschisă pentru acest contract: {first.number}" in (
        response.content.decode()
    )
    assert QuoteRequest.objects.count() == 1


def test_staff_see_the_renewals_in_admin(client, staff, company_a, admin_a, expiring):
    made = services.contract_request_renewal(contract_id=expiring.pk, company=company_a, user=admin_a)
    client.force_login(staff)
    page = client.get(reverse("admin:contracts_contract_change", args=[expiring.pk])).content.decode()
    assert made.number in page and reverse("admin:quotes_quoterequest_change", args=[made.pk]) in page
    page = client.get(reverse("admin:quotes_quoterequest_change", args=[made.pk])).content.decode()
    assert "reînnoirea contractului" in page


def test_the_pages_run_a_fixed_number_of_queries(client, admin_a, company_a, expiring, django_assert_max_num_queries):
    first = services.contract_request_renewal(contract_id=expiring.pk, company=company_a, user=admin_a)
    client.force_login(admin_a)
    urls = [reverse("contracts:detail", args=[expiring.public_id]), first.get_absolute_url()]
    with CaptureQueriesContext(connection) as few_detail:
        client.get(urls[0])
    with CaptureQueriesContext(connection) as few_request:
        client.get(urls[1])
    QuoteRequest.objects.filter(pk=first.pk).update(status="closed")
    for _ in range(30):
        QuoteRequestFactory(company=company_a, origin_contract=expiring, status="closed")
    with django_assert_max_num_queries(len(few_detail)):
        assert client.get(urls[0]).status_code == 200
    with django_assert_max_num_queries(len(few_request)):
        assert client.get(urls[1]).status_code == 200
    other = ContractFactory(company=company_a, **ending_in(30))
    with CaptureQueriesContext(connection) as few_confirm:
        client.get(renewal_url(other))
    for _ in range(20):
        QuoteRequestFactory(company=company_a, origin_contract=other, status="cancelled")
    with django_assert_max_num_queries(len(few_confirm)):
        assert client.get(renewal_url(other)).status_code == 200
