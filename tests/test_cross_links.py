"""Links between sections (offer → project, contract, invoice, shipment) stay inside one company."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.tests.factories import ContractFactory
from projects import services as project_services
from projects.tests.factories import ProjectFactory
from quotes.models import Offer
from quotes.tests.factories import OfferFactory


def test_project_page_links_its_offer_and_hides_drafts(client, admin_a, company_a):
    offer = OfferFactory(company=company_a)
    project = ProjectFactory(company=company_a, offer=offer)
    client.force_login(admin_a)
    page = client.get(reverse("projects:detail", args=[project.public_id])).content.decode()
    assert reverse("quotes:offer_detail", args=[offer.public_id]) in page
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.DRAFT)
    page = client.get(reverse("projects:detail", args=[project.public_id])).content.decode()
    assert reverse("quotes:offer_detail", args=[offer.public_id]) not in page


def test_a_project_cannot_link_another_companys_offer(company_a, company_b):
    project = ProjectFactory.build(company=company_a, offer=OfferFactory(company=company_b))
    with pytest.raises(ValidationError) as error:
        project_services.clean_project_fields(project)
    assert "offer" in error.value.message_dict


def test_contract_page_lists_offer_and_projects(client, admin_a, company_a):
    offer = OfferFactory(company=company_a)
    contract = ContractFactory(company=company_a, offer=offer)
    project = ProjectFactory(company=company_a, contract=contract)
    client.force_login(admin_a)
    page = client.get(reverse("contracts:detail", args=[contract.public_id])).content.decode()
    assert reverse("quotes:offer_detail", args=[offer.public_id]) in page
    assert reverse("projects:detail", args=[project.public_id]) in page


def test_contract_admin_refuses_another_companys_offer(client, staff, company_a, company_b):
    contract = ContractFactory(company=company_a)
    foreign = OfferFactory(company=company_b)
    client.force_login(staff)
    data = {
        "company": company_a.pk,
        "number": contract.number,
        "kind": contract.kind,
        "title": contract.title,
        "status": contract.status,
        "offer": foreign.pk,
        "start_date": contract.start_date.strftime("%d.%m.%Y"),
        "end_date": contract.end_date.strftime("%d.%m.%Y"),
        "value": "1000.00",
        "currency": "RON",
        "annexes-TOTAL_FORMS": "0",
        "annexes-INITIAL_FORMS": "0",
        "annexes-MIN_NUM_FORMS": "0",
        "annexes-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:contracts_contract_change", args=[contract.pk]), data)
    assert response.status_code == 200 and "Oferta aparține altei companii" in response.content.decode()
    contract.refresh_from_db()
    assert contract.offer is None
