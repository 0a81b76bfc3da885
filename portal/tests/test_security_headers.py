"""The browser-facing guarantees of issue 11: headers on every page, and the session's life cycle."""

from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.tests.factories import PASSWORD


def test_pages_send_the_security_headers(client, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("dashboard:home"))
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]  # no inline scripts, no eval, no CDN
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_production_cookies_and_hsts(settings, client):
    # What portal/settings.py derives from DEBUG=0 (the deploy check in CI runs on the real thing).
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get(reverse("account_login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_flags(settings, client, admin_a):
    response = client.post(reverse("account_login"), {"login": admin_a.email, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_login_gives_a_new_session_key_and_logout_ends_it_on_the_server(client, admin_a):
    client.get(reverse("account_login"))
    client.session["probe"] = 1
    anonymous_key = client.session.session_key
    client.post(reverse("account_login"), {"login": admin_a.email, "password": PASSWORD})
    logged_in_key = client.session.session_key
    assert logged_in_key and logged_in_key != anonymous_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=logged_in_key).exists()
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_removing_a_membership_ends_access_at_the_next_request(client, admin_a, member_a):
    from accounts.models import Membership

    client.force_login(member_a)
    assert client.get(reverse("dashboard:home")).status_code == 200
    Membership.objects.filter(user=member_a).delete()
    assert client.get(reverse("dashboard:home"))["Location"] == reverse("accounts:pending")


def test_every_response_refuses_the_browser_features_the_portal_does_not_use(client, admin_a):
    pages = [client.get(reverse("account_login")), client.get("/nu-exista/")]
    client.force_login(admin_a)
    pages.append(client.get(reverse("dashboard:home")))
    for response in pages:
        policy = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
            assert policy[feature] == "()", (response.status_code, feature)
        assert "interest-cohort" not in policy  # FLoC is gone; an obsolete name is only noise
