"""allauth's emails (verification, password reset, account notices, two-factor changes) look like the
portal's own: an HTML part with the portal's header and the supplier's footer, a text part, the reader's
language, and every link on SITE_URL even when the request came in on another host."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from accounts.tests.test_registration import signup_data

SITE = "https://portal.furnizor.ro"
HOST = "127.0.0.1:8100"
GREETING = {"ro": "Bună ziua,", "en": "Hello,"}


@pytest.fixture(autouse=True)
def portal_on_another_host(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    settings.ACCOUNT_REAUTHENTICATION_REQUIRED = settings.MFA_REAUTHENTICATION_REQUIRED = False


def visitor(language: str) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_branded(message, language: str) -> None:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and html.lstrip().startswith("<!doctype html>")
    supplier = settings.SUPPLIER
    assert f"Portal clienți · {supplier['name']}" in html  # the header of templates/emails/base_body.html
    assert supplier["email"] in html and supplier["phone"] in html  # its footer
    assert supplier["name"] in message.body
    assert GREETING[language] in message.body and GREETING[language] in html
    for part in (message.subject, message.body, html):
        assert HOST not in part and "testserver" not in part and "example.com" not in part
        assert "Hello from" not in part and "Thank you for using" not in part
    links = re.findall(r'href="([^"]+)"', html) + re.findall(r"https?://\S+", message.body)
    assert links
    for link in links:
        assert re.match(rf"{re.escape(SITE)}(/|$)", link), link


def sent(mailoutbox, to: str):
    [message] = [m for m in mailoutbox if m.to == [to]]
    mailoutbox.clear()
    return message


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "en"])
def test_signup_emails_are_branded_and_link_to_site_url(mailoutbox, django_capture_on_commit_callbacks, language):
    client = visitor(language)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    message = sent(mailoutbox, "ioana@firma-noua.ro")
    assert_branded(message, language)
    assert f"{SITE}/cont/confirm-email/" in message.body
    assert f'href="{SITE}/cont/confirm-email/' in message.alternatives[0][0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "en"])
def test_signing_up_with_a_known_address_emails_its_owner_branded(
    member_a, mailoutbox, django_capture_on_commit_callbacks, language
):
    member_a.language = language
    member_a.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        visitor(language).post(reverse("account_signup"), signup_data(email=member_a.email))
    message = sent(mailoutbox, member_a.email)
    assert_branded(message, language)
    assert f"{SITE}/cont/password/reset/" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "en"])
def test_password_reset_emails_are_branded_and_link_to_site_url(
    member_a, mailoutbox, django_capture_on_commit_callbacks, language
):
    member_a.language = language
    member_a.save(update_fields=["language"])
    client = visitor(language)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": member_a.email})
    message = sent(mailoutbox, member_a.email)
    assert_branded(message, language)
    reset_link = re.search(rf"{re.escape(SITE)}(/cont/password/reset/key/\S+)", message.body)
    assert reset_link and f'href="{reset_link.group(0)}"' in message.alternatives[0][0]

    # The link works on the portal, and setting the new password is told to the owner.
    response = client.get(reset_link.group(1), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.redirect_chain[-1][0], {"password1": "Alta-parola-2026", "password2": "Alta-parola-2026"})
    assert_branded(sent(mailoutbox, member_a.email), language)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "nimeni@necunoscut.ro"})
    message = sent(mailoutbox, "nimeni@necunoscut.ro")
    assert_branded(message, language)
    assert f"{SITE}/cont/signup/" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "en"])
def test_account_change_emails_are_branded_and_link_to_site_url(
    member_a, mailoutbox, django_capture_on_commit_callbacks, language
):
    member_a.language = language
    member_a.save(update_fields=["language"])
    client = visitor(language)
    client.force_login(member_a)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_email"), {"action_add": "", "email": "ioana.noua@client-a.ro"})
    message = sent(mailoutbox, "ioana.noua@client-a.ro")
    assert_branded(message, language)
    assert f"{SITE}/cont/confirm-email/" in message.body

    new_password = {"oldpassword": PASSWORD, "password1": "Alta-parola-2026", "password2": "Alta-parola-2026"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_change_password"), new_password)
    message = sent(mailoutbox, member_a.email)
    assert_branded(message, language)
    assert f"{SITE}/cont/profil/" in message.body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ro", "en"])
def test_two_factor_changes_are_emailed_branded(member_a, mailoutbox, django_capture_on_commit_callbacks, language):
    member_a.language = language
    member_a.save(update_fields=["language"])
    client = visitor(language)
    client.force_login(member_a)

    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=member_a, type=Authenticator.Type.TOTP).exists()
    activated = sent(mailoutbox, member_a.email)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    codes = sent(mailoutbox, member_a.email)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_deactivate_totp"))
    deactivated = sent(mailoutbox, member_a.email)

    assert len({activated.subject, codes.subject, deactivated.subject}) == 3
    for message in (activated, codes, deactivated):
        assert_branded(message, language)
        assert f"{SITE}/cont/profil/" in message.body
