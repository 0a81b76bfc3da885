import re

import pytest
from django.urls import reverse

from accounts.models import Company, Membership, User
from accounts.tests.factories import PASSWORD
from portal.models import AuditEntry

NEW_CUI = "RO18547290"


def signup_data(**overrides):
    data = {
        "first_name": "Ioana",
        "last_name": "Marinescu",
        "email": "ioana@firma-noua.ro",
        "phone": "0722 123 456",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "company_name": "Firma Nouă SRL",
        "cui": "ro 18547290",
        "reg_com": "J40/1234/2015",
        "address": "Str. Lungă nr. 5",
        "city": "Cluj-Napoca",
        "county": "Cluj",
    }
    data.update(overrides)
    return data


def signup(client, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("account_signup"), signup_data(**overrides))


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/cont/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_signup_with_new_cui_creates_pending_company_and_admin_membership(
    client, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro", "sef@furnizor.ro"]
    response = signup(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ioana@firma-noua.ro")
    assert (user.first_name, user.last_name, user.phone) == ("Ioana", "Marinescu", "0722 123 456")
    company = Company.objects.get(cui=NEW_CUI)
    assert company.status == Company.Status.PENDING
    assert company.name == "Firma Nouă SRL"
    assert company.reg_com == "J40/1234/2015"
    assert (company.address, company.city, company.county) == ("Str. Lungă nr. 5", "Cluj-Napoca", "Cluj")
    membership = Membership.objects.get(user=user)
    assert membership.company == company
    assert membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.ADMIN
    # Staff hear of it once the registrant has verified their email address, not before.
    assert [message.to for message in mailoutbox] == [["ioana@firma-noua.ro"]]
    assert not AuditEntry.objects.filter(action="company.registered").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link(mailoutbox[0]))
    assert AuditEntry.objects.filter(action="company.registered", company=company, user=user).exists()

    by_recipient = {tuple(message.to): message for message in mailoutbox}
    assert set(by_recipient) == {("ioana@firma-noua.ro",), ("vanzari@furnizor.ro",), ("sef@furnizor.ro",)}
    assert "/cont/confirm-email/" in by_recipient[("ioana@firma-noua.ro",)].body
    staff_mail = by_recipient[("vanzari@furnizor.ro",)]
    assert "Firma Nouă SRL" in staff_mail.subject
    assert NEW_CUI in staff_mail.body
    assert reverse("admin:accounts_company_change", args=[company.pk]) in staff_mail.body


@pytest.mark.django_db
def test_signup_with_existing_cui_asks_to_join_that_company(
    client, django_capture_on_commit_callbacks, mailoutbox, company_a, admin_a, member_a, settings
):
    second_admin = Membership.objects.create(
        user=User.objects.create_user("admin2.a@client-a.ro", first_name="Dan"),
        company=company_a,
        role=Membership.Role.ADMIN,
        status=Membership.Status.ACTIVE,
    ).user
    companies_before = Company.objects.count()
    # The CUI typed in lower case with spaces still finds company A.
    typed_cui = company_a.cui.lower().replace("ro", "ro ")
    response = signup(client, django_capture_on_commit_callbacks, cui=typed_cui, company_name="Alt nume")

    assert response.status_code == 302
    assert Company.objects.count() == companies_before
    company_a.refresh_from_db()
    assert company_a.name == "Agroserv Test SRL"  # the registrant's company data does not overwrite it
    user = User.objects.get(email="ioana@firma-noua.ro")
    membership = Membership.objects.get(user=user)
    assert membership.company == company_a
    assert membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.MEMBER
    assert not membership.can_accept_offers and not membership.can_see_billing
    # The company's admins hear of the request once the registrant has verified their email address.
    assert [message.to for message in mailoutbox] == [["ioana@firma-noua.ro"]]
    assert not admin_a.notifications.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link(mailoutbox[0]))

    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted(["ioana@firma-noua.ro", admin_a.email, second_admin.email])
    assert settings.STAFF_NOTIFICATION_EMAILS[0] not in recipients
    assert member_a.email not in recipients
    join_mail = next(message for message in mailoutbox if message.to == [admin_a.email])
    assert "Ioana Marinescu" in join_mail.subject
    assert reverse("accounts:members") in join_mail.body
    assert admin_a.notifications.filter(kind="membership.requested", company=company_a).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("cui", "18547291"), ("cui", "abc"), ("phone", "12ab"), ("phone", "123"), ("reg_com", "X/1/2")],
)
def test_signup_with_bad_input_shows_the_error_and_saves_nothing(
    client, django_capture_on_commit_callbacks, mailoutbox, field, value
):
    response = signup(client, django_capture_on_commit_callbacks, **{field: value})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()
    assert not Company.objects.exists()
    assert not Membership.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_signup_form_error_is_shown_in_romanian(client, django_capture_on_commit_callbacks):
    response = signup(client, django_capture_on_commit_callbacks, cui="18547291")
    assert "nu este valid" in response.content.decode()


@pytest.mark.django_db
def test_confirmed_registrant_waits_for_approval_and_sees_nothing_of_the_company(
    client, django_capture_on_commit_callbacks, mailoutbox, company_a, admin_a
):
    signup(client, django_capture_on_commit_callbacks, cui=company_a.cui)
    verification = next(message for message in mailoutbox if message.to == ["ioana@firma-noua.ro"])
    link = confirmation_link(verification)

    assert client.get(link).status_code == 200  # a confirmation page, not a GET side effect
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    user = User.objects.get(email="ioana@firma-noua.ro")
    assert user.emailaddress_set.get().verified
    assert int(client.session["_auth_user_id"]) == user.pk

    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:pending")
    response = client.get(response["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Contul dvs. așteaptă aprobarea" in page
    assert "cererea a fost trimisă" in page
    assert company_a.name not in page and company_a.cui not in page  # neither its name nor its VAT status
    # No section of the company's data is reachable.
    assert response.context["current_company"] is None
    assert response.context["nav_sections"] == []
    for url_name in ("quotes:offer_list", "billing:invoice_list", "files:list"):
        assert reverse(url_name) not in page
        assert client.get(reverse(url_name))["Location"] == reverse("accounts:pending")


@pytest.mark.django_db
def test_new_company_registrant_sees_the_request_was_sent(client, django_capture_on_commit_callbacks, mailoutbox):
    signup(client, django_capture_on_commit_callbacks)
    verification = next(message for message in mailoutbox if message.to == ["ioana@firma-noua.ro"])
    client.post(confirmation_link(verification))
    response = client.get(reverse("accounts:pending"))
    page = response.content.decode()
    assert "cererea a fost trimisă" in page and "CUI 18547290" in page
    assert "verificarea furnizorului" not in page  # the same answer as for a client's CUI


@pytest.mark.django_db
def test_login_before_verifying_the_email_does_not_reach_the_dashboard(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    signup(client, django_capture_on_commit_callbacks)
    client.logout()

    response = client.post(reverse("account_login"), {"login": "ioana@firma-noua.ro", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_signup_with_the_same_cui_without_ro_prefix_joins_the_existing_company(
    client, django_capture_on_commit_callbacks, company_a, admin_a
):
    assert company_a.cui.startswith("RO")
    signup(client, django_capture_on_commit_callbacks, cui=company_a.cui_digits)

    assert Company.objects.count() == 1
    assert Membership.objects.get(user__email="ioana@firma-noua.ro").company == company_a


@pytest.mark.django_db
def test_login_sets_the_language_cookie_from_the_profile(client, member_a, settings):
    member_a.language = "en"
    member_a.save()

    response = client.post(reverse("account_login"), {"login": member_a.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert int(client.session["_auth_user_id"]) == member_a.pk


@pytest.mark.django_db
def test_login_with_a_wrong_password_fails(client, member_a):
    response = client.post(reverse("account_login"), {"login": member_a.email, "password": "gresit-123456"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_with_an_existing_email_creates_nothing(
    client, django_capture_on_commit_callbacks, mailoutbox, member_a, company_a
):
    response = signup(client, django_capture_on_commit_callbacks, email=member_a.email.upper())

    # allauth does not reveal that the address has an account: same answer as a new signup...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    # ...but nothing is created and member_a's account is untouched.
    assert User.objects.count() == 1
    assert not Company.objects.filter(cui=NEW_CUI).exists()
    assert list(Membership.objects.values_list("user_id", "company_id")) == [(member_a.pk, company_a.pk)]
    member_a.refresh_from_db()
    assert (member_a.first_name, member_a.phone) == ("Mihai", "0722 000 000")
    # ...and the owner of the address is told by email instead.
    assert [message.to for message in mailoutbox] == [[member_a.email]]
