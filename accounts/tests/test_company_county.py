"""A company's county must be one e-Factura can code (portal.counties): checked where companies are entered."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.demo import COMPANIES, PENDING
from accounts.models import Company, User
from accounts.tests.factories import CompanyFactory
from accounts.tests.test_registration import signup_data
from portal.counties import subdivision


@pytest.mark.parametrize("company", [demo["company"] for demo in COMPANIES] + [PENDING["company"]])
def test_every_demo_company_has_an_address_e_factura_can_code(company):
    subdivision(county=company["county"], city=company["city"], address=company["address"])


@pytest.mark.django_db
def test_the_factory_company_passes_full_clean():
    CompanyFactory().full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("county", "city", "address", "problem"),
    [
        ("Cluj", "Cluj-Napoca", "Str. Lungă nr. 5", None),
        ("jud. Bistrita Nasaud", "Bistrița", "Str. A 1", None),
        ("București", "București", "Bd. Iuliu Maniu nr. 7, Sector 6", None),
        ("Transilvania", "Cluj-Napoca", "Str. Lungă nr. 5", "nu este recunoscut"),
        ("București", "București", "Str. Fabricii nr. 12", "sectorul"),
    ],
)
def test_company_clean_puts_the_county_problem_on_the_county_field(county, city, address, problem):
    company = CompanyFactory.build(county=county, city=city, address=address)
    if problem is None:
        company.full_clean(validate_unique=False)
        return
    with pytest.raises(ValidationError) as error:
        company.full_clean(validate_unique=False)
    assert list(error.value.message_dict) == ["county"]
    assert problem in error.value.message_dict["county"][0]


@pytest.mark.django_db
def test_an_empty_county_is_the_required_error_only():
    company = CompanyFactory.build(county="")
    with pytest.raises(ValidationError) as error:
        company.full_clean(validate_unique=False)
    assert error.value.message_dict["county"] == [str(Company._meta.get_field("county").error_messages["blank"])]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"county": "Transilvania"}, "Județul „Transilvania” nu este recunoscut"),
        ({"county": "București", "city": "București", "address": "Str. Lungă nr. 5"}, "indicați sectorul"),
    ],
)
def test_registration_shows_the_county_problem_on_the_county_field(client, overrides, problem):
    response = client.post(reverse("account_signup"), signup_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["county"]
    assert problem in errors["county"][0]
    assert problem in response.content.decode()
    assert not User.objects.filter(email="ioana@firma-noua.ro").exists()
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_registration_takes_a_bucharest_address_with_its_sector(client, django_capture_on_commit_callbacks):
    data = signup_data(county="Municipiul București", city="București", address="Str. Lungă nr. 5, sectorul 2")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302
    company = Company.objects.get()
    assert (company.county, company.city) == ("Municipiul București", "București")  # stored as typed


@pytest.mark.django_db
def test_the_admin_shows_the_county_problem(client, staff):
    client.force_login(staff)
    data = {
        "name": "Firma Nouă SRL",
        "cui": "RO18547290",
        "reg_com": "J2012000750528",
        "address": "Str. A 1",
        "city": "București",
        "county": "București",
        "iban": "",
        "status": "active",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:accounts_company_add"), data)
    assert response.status_code == 200
    assert "indicați sectorul" in response.context["adminform"].form.errors["county"][0]
    data["address"] = "Str. A 1, Sector 3"
    response = client.post(reverse("admin:accounts_company_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Company.objects.get().reg_com == "J2012000750528"
