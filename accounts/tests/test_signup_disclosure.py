"""Signing up with a CUI tells nothing about the company behind it, and nobody hears of the
request before the registrant has verified their email address."""

import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin import helpers
from django.urls import reverse

from accounts import receivers, services
from accounts.models import Company, CompanyQuerySet, Membership, User
from accounts.tests.test_registration import NEW_CUI, confirmation_link, signup
from portal.models import AuditEntry, Notification, OutboundEmail


def pending_page(client, django_capture_on_commit_callbacks, mailoutbox, **overrides) -> str:
    response = signup(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    verification = next(m for m in mailoutbox if m.to == [overrides.get("email", "ioana@firma-noua.ro")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link(verification))
    return client.get(reverse("accounts:pending")).content.decode()


def comparable(page: str, *secrets: str) -> str:
    """The page without what differs by design (the CUI typed, the CSRF token)."""
    for secret in secrets:
        page = page.replace(secret, "…")
    return re.sub(r'value="[^"]{20,}"', 'value="…"', page)


@pytest.mark.django_db
def test_claiming_a_clients_cui_looks_exactly_like_claiming_a_new_one(
    client, django_capture_on_commit_callbacks, mailoutbox, company_a, admin_a
):
    company_a.cui = "RO42158732"  # a VAT payer: the RO prefix must not show either
    company_a.save()
    known = pending_page(
        client, django_capture_on_commit_callbacks, mailoutbox, cui="42158732", company_name="Orice SRL"
    )
    assert company_a.name not in known and "RO42158732" not in known
    assert "cererea a fost trimisă" in known

    client.logout()
    new = pending_page(
        client,
        django_capture_on_commit_callbacks,
        mailoutbox,
        cui=NEW_CUI,
        company_name="Orice SRL",
        email="altcineva@firma-noua.ro",
    )
    assert comparable(known, "42158732", "ioana@firma-noua.ro") == comparable(
        new, NEW_CUI.removeprefix("RO"), "altcineva@firma-noua.ro"
    )


@pytest.mark.django_db
def test_the_signup_answer_is_the_same_for_a_known_and_a_new_cui(client, django_capture_on_commit_callbacks, company_a):
    known = signup(client, django_capture_on_commit_callbacks, cui=company_a.cui)
    client.logout()
    new = signup(client, django_capture_on_commit_callbacks, cui=NEW_CUI, email="altcineva@firma-noua.ro")
    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert company_a.name not in client.get(known["Location"]).content.decode()


@pytest.mark.django_db
def test_a_rejected_claimant_is_not_told_the_company_s_name(
    company_a, admin_a, mailoutbox, django_capture_on_commit_callbacks, client
):
    signup(client, django_capture_on_commit_callbacks, cui=company_a.cui)
    membership = Membership.objects.get(user__email="ioana@firma-noua.ro")
    services.registration_email_verified(user=membership.user)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_reject(membership=membership, by=admin_a)
    [message] = mailoutbox
    assert company_a.name not in message.subject + message.body
    assert company_a.cui_digits in message.body


@pytest.mark.django_db
def test_nobody_hears_of_a_join_request_before_the_email_is_verified(
    client, django_capture_on_commit_callbacks, mailoutbox, company_a, admin_a
):
    signup(client, django_capture_on_commit_callbacks, cui=company_a.cui)
    assert [m.to for m in mailoutbox] == [["ioana@firma-noua.ro"]]  # the verification email only
    assert not Notification.objects.exists()
    assert not AuditEntry.objects.filter(company=company_a, action="membership.requested").exists()
    # The company's admins do not see it among the requests either.
    client.logout()
    client.force_login(admin_a)
    assert list(client.get(reverse("accounts:members")).context["waiting"]) == []


@pytest.mark.django_db
def test_staff_hear_of_a_new_company_only_after_verification(
    client, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    signup(client, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["ioana@firma-noua.ro"]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link(mailoutbox[0]))
    assert [m.to for m in mailoutbox][1:] == [["vanzari@furnizor.ro"]]
    membership = Membership.objects.get(user__email="ioana@firma-noua.ro")
    assert membership.requested_at is not None


@pytest.mark.django_db
def test_verifying_twice_notifies_once(
    client, django_capture_on_commit_callbacks, mailoutbox, company_a, admin_a, staff
):
    signup(client, django_capture_on_commit_callbacks, cui=company_a.cui)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirmation_link(mailoutbox[0]))
    user = User.objects.get(email="ioana@firma-noua.ro")
    address = EmailAddress.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        receivers.email_confirmed(sender=EmailAddress, request=None, email_address=address)  # the signal again
        services.registration_email_verified(user=user)
    # Staff marking the address verified in allauth's admin sends the same signal.
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:account_emailaddress_changelist"),
            {"action": "make_verified", helpers.ACTION_CHECKBOX_NAME: [address.pk]},
        )
    assert [m.to for m in mailoutbox].count([admin_a.email]) == 1
    assert Notification.objects.filter(user=admin_a, kind="membership.requested").count() == 1
    assert AuditEntry.objects.filter(action="membership.requested").count() == 1
    assert OutboundEmail.objects.filter(template="join_request").count() == 1


@pytest.mark.django_db
def test_two_signups_racing_for_one_new_cui_make_one_company(company_a):
    """The second sees the unique constraint and joins the first's company instead of failing."""
    first = User.objects.create_user("unu@firma-noua.ro")
    second = User.objects.create_user("doi@firma-noua.ro")
    data = {
        "name": "Firma Nouă SRL",
        "cui": NEW_CUI,
        "reg_com": "",
        "address": "Str. A 1",
        "city": "Cluj",
        "county": "Cluj",
    }
    services.register_company_user(user=first, first_name="U", last_name="Nu", phone="", company_data=data)
    original = CompanyQuerySet.with_cui
    calls = []

    def miss_once(self, cui):  # the first look-up ran before the other signup committed
        calls.append(cui)
        return self.none() if len(calls) == 1 else original(self, cui)

    with mock.patch.object(CompanyQuerySet, "with_cui", miss_once):
        membership = services.register_company_user(
            user=second, first_name="D", last_name="Oi", phone="", company_data=data
        )
    assert Company.objects.filter(cui=NEW_CUI).count() == 1
    assert membership.company.cui == NEW_CUI and membership.role == Membership.Role.MEMBER
