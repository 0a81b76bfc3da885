"""The security log (logger ``portal.security_log``): one structured line per event, with user,
company and IP — logins, two-factor changes, denied access, audited actions, admin changes."""

import logging
from types import SimpleNamespace

import pytest
from django.urls import reverse

from billing.tests.factories import issued_invoice
from portal import audit
from quotes import services as quote_services
from quotes.tests.factories import OfferFactory

LOGGER = "portal.security_log"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)

    def collected(name):
        return [r.security for r in caplog.records if r.name == LOGGER and r.security["event"] == name]

    return collected


def test_a_login_is_logged_with_user_company_and_ip(client, admin_a, company_a, events):
    admin_a.set_password("Parola-buna-2026")
    admin_a.save()
    response = client.post(
        reverse("account_login"), {"login": admin_a.email, "password": "Parola-buna-2026"}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    [logged] = events("login_succeeded")
    assert logged["user"] == str(admin_a.pk) and logged["company"] == str(company_a.public_id)
    assert logged["ip"] == "198.51.100.7" and logged["email"] == admin_a.email


def test_a_failed_login_is_logged_as_a_warning_without_the_password(client, admin_a, events, caplog):
    client.post(
        reverse("account_login"), {"login": admin_a.email, "password": "parola-gresita-1"}, REMOTE_ADDR="203.0.113.9"
    )
    [logged] = events("login_failed")
    assert logged["email"] == admin_a.email and logged["ip"] == "203.0.113.9"
    line = next(r for r in caplog.records if r.name == LOGGER and "login_failed" in r.getMessage())
    assert line.levelno == logging.WARNING and "parola-gresita-1" not in line.getMessage()
    assert line.getMessage().startswith("event=login_failed ")


def test_two_factor_changes_are_logged(admin_a, events):
    from allauth.mfa import signals

    authenticator = SimpleNamespace(type="totp", user=admin_a)
    signals.authenticator_added.send(sender=None, request=None, user=admin_a, authenticator=authenticator)
    signals.authenticator_removed.send(sender=None, request=None, user=admin_a, authenticator=authenticator)
    assert [e["authenticator"] for e in events("mfa_added")] == ["totp"]
    assert [e["user"] for e in events("mfa_removed")] == [str(admin_a.pk)]


def test_another_companys_id_is_logged_as_denied(client, admin_a, company_a, company_b, events):
    invoice_b = issued_invoice(company_b)
    client.force_login(admin_a)
    response = client.get(reverse("billing:invoice_detail", args=[invoice_b.public_id]), REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 404
    [logged] = events("access_denied")
    assert logged["status"] == 404 and logged["user"] == str(admin_a.pk)
    assert logged["company"] == str(company_a.public_id) and logged["ip"] == "192.0.2.44"
    assert logged["path"] == reverse("billing:invoice_detail", args=[invoice_b.public_id])


def test_a_missing_right_is_logged_as_denied(client, member_a, company_a, events):
    client.force_login(member_a)
    assert client.get(reverse("billing:invoice_list")).status_code == 403
    [logged] = events("access_denied")
    assert logged["status"] == 403 and logged["user"] == str(member_a.pk)
    assert logged["company"] == str(company_a.public_id)


def test_an_anonymous_404_is_not_noise(client, events):
    assert client.get("/nu-exista/").status_code == 404
    assert events("access_denied") == []


def test_offer_decisions_are_logged(company_a, admin_a, events):
    offer = OfferFactory(company=company_a)
    with audit.request_ip_bound("192.0.2.1"):
        quote_services.offer_accept(offer_id=offer.pk, company=company_a, user=admin_a)
    [logged] = [e for e in events("action") if e["action"] == "offer.accepted"]
    assert logged["user"] == admin_a.pk and logged["company"] == company_a.public_id and logged["ip"] == "192.0.2.1"
    assert logged["object_id"] == str(offer.public_id)


def test_admin_changes_are_logged(staff, company_a, events):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    # What the admin writes after every add, change or delete (ModelAdmin.log_change).
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(company_a),
        object_id=str(company_a.pk),
        object_repr=str(company_a),
        action_flag=CHANGE,
        change_message="[]",
    )
    [logged] = events("admin_change")
    assert logged["change"] == "changed" and logged["user"] == staff.pk and logged["object"] == "company"


def test_values_with_spaces_and_quotes_stay_one_parseable_line(caplog):
    from portal import security_log

    caplog.set_level(logging.INFO, logger=LOGGER)
    security_log.event("login_failed", email='a b"c\nd@x.ro', ip=None)
    assert caplog.records[-1].getMessage() == 'event=login_failed email="a b\\"c\\nd@x.ro" ip=""'
