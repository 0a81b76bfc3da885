"""Behind the TLS proxy, the client is the address the proxy wrote, for allauth's login limits and the audit log alike.

The proxy settings come from portal/settings.py evaluated with BEHIND_PROXY set (proxy_settings below), so
these tests check what production derives from that one switch, not values a test typed in.
"""

import os
import runpy

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from portal import audit

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request that came through the proxy
ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.4"
# allauth's own defaults, spelled out in ACCOUNT_RATE_LIMITS: POSTs to the login page, failed logins.
LOGIN_PER_MINUTE = 30
FAILED_PER_MINUTE = 10

PROXY_SETTINGS = ("BEHIND_PROXY", "SECURE_PROXY_SSL_HEADER", "ALLAUTH_TRUSTED_PROXY_COUNT")


def proxy_settings(behind_proxy: bool) -> dict:
    """What portal/settings.py sets for the proxy when BEHIND_PROXY is on or off (the rest of the environment kept)."""
    environment = dict(os.environ)
    try:
        os.environ.pop("TRUSTED_PROXY_COUNT", None)
        os.environ.update(BEHIND_PROXY="1" if behind_proxy else "0", DEBUG="1")
        module = runpy.run_path(str(django_settings.BASE_DIR / "portal" / "settings.py"))
    finally:
        os.environ.clear()
        os.environ.update(environment)
    # A setting the module does not define keeps allauth's default (no proxy trusted).
    return {name: module.get(name, 0 if name.startswith("ALLAUTH_") else None) for name in PROXY_SETTINGS}


@pytest.fixture
def behind_proxy(settings):
    for name, value in proxy_settings(True).items():
        setattr(settings, name, value)


@pytest.fixture
def not_behind_proxy(settings):
    for name, value in proxy_settings(False).items():
        setattr(settings, name, value)


def login(client, email, password, forwarded_for=None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_the_switch_sets_both_the_https_header_and_the_trusted_proxy():
    assert proxy_settings(True) == {
        "BEHIND_PROXY": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "ALLAUTH_TRUSTED_PROXY_COUNT": 1,
    }
    assert proxy_settings(False) == {
        "BEHIND_PROXY": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "ALLAUTH_TRUSTED_PROXY_COUNT": 0,
    }


@pytest.mark.django_db
def test_behind_the_proxy_one_client_s_failures_do_not_lock_out_the_others(behind_proxy, admin_a):
    attacker = Client()
    for i in range(FAILED_PER_MINUTE):
        response = login(attacker, f"nimeni{i}@client-a.ro", "parola-gresita", ATTACKER)
        assert response.status_code == 200 and "_auth_user_id" not in attacker.session

    # The attacker's address has used up its failed logins: even the right password is refused from it...
    refused = login(attacker, admin_a.email, PASSWORD, ATTACKER)
    assert refused.status_code == 200 and "_auth_user_id" not in attacker.session
    # ...and writing another address at the left of X-Forwarded-For does not help: the proxy appended the real one.
    spoofed = login(attacker, admin_a.email, PASSWORD, f"{COLLEAGUE}, {ATTACKER}")
    assert spoofed.status_code == 200 and "_auth_user_id" not in attacker.session

    for i in range(LOGIN_PER_MINUTE - FAILED_PER_MINUTE - 2):
        login(attacker, f"nimeni{i}@client-a.ro", "parola-gresita", ATTACKER)
    assert login(attacker, "nimeni@client-a.ro", "parola-gresita", ATTACKER).status_code == 429
    assert login(attacker, "nimeni@client-a.ro", "parola-gresita", f"{COLLEAGUE}, {ATTACKER}").status_code == 429

    # A colleague behind the same proxy, from another address, logs in.
    colleague = Client()
    response = login(colleague, admin_a.email, PASSWORD, COLLEAGUE)
    assert response.status_code == 302 and colleague.session["_auth_user_id"] == str(admin_a.pk)


@pytest.mark.django_db
def test_without_a_proxy_x_forwarded_for_is_ignored(not_behind_proxy, admin_a):
    client = Client()
    # Each attempt claims another address; all of them come from the same REMOTE_ADDR, which is the one counted.
    for i in range(LOGIN_PER_MINUTE):
        assert login(client, f"nimeni{i}@client-a.ro", "parola-gresita", f"192.0.2.{i + 1}").status_code == 200
    assert login(Client(), admin_a.email, PASSWORD, COLLEAGUE).status_code == 429


@pytest.mark.parametrize(
    ("behind", "meta", "expected"),
    [
        (True, {"HTTP_X_FORWARDED_FOR": ATTACKER}, ATTACKER),
        (True, {"HTTP_X_FORWARDED_FOR": f"{COLLEAGUE}, {ATTACKER}"}, ATTACKER),
        (True, {}, PROXY),
        (False, {"HTTP_X_FORWARDED_FOR": ATTACKER}, PROXY),
    ],
)
def test_the_audit_log_records_the_address_the_limits_count(settings, behind, meta, expected):
    for name, value in proxy_settings(behind).items():
        setattr(settings, name, value)
    request = RequestFactory().post("/cont/login/", REMOTE_ADDR=PROXY, **meta)
    assert audit.client_ip(request) == get_adapter(request).get_client_ip(request) == expected
