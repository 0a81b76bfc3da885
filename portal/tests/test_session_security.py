import time

from django.urls import reverse

from portal.middleware import SessionSecurityMiddleware

ACTIVITY, STARTED = SessionSecurityMiddleware.ACTIVITY_KEY, SessionSecurityMiddleware.STARTED_KEY


def set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_idle_session_ends_on_the_server(client, admin_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(admin_a)
    assert client.get(reverse("dashboard:home")).status_code == 200
    old_key = client.session.session_key
    set_session(client, **{ACTIVITY: int(time.time()) - 601})
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()


def test_active_session_survives(client, admin_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(admin_a)
    set_session(client, **{ACTIVITY: int(time.time()) - 500})
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_absolute_timeout_even_when_active(client, admin_a, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 3600
    client.force_login(admin_a)
    set_session(client, **{STARTED: int(time.time()) - 3601, ACTIVITY: int(time.time())})
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_authenticated_pages_are_not_cached(client, admin_a):
    client.force_login(admin_a)
    response = client.get(reverse("dashboard:home"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_deactivated_user_loses_access_at_the_next_request(client, admin_a):
    client.force_login(admin_a)
    admin_a.is_active = False
    admin_a.save()
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_admin_needs_two_factor_when_required(client, staff, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_without_two_factor_in_development(client, staff, settings):
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_changing_the_email_asks_for_the_password_again(client, admin_a):
    client.force_login(admin_a)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "nou@client-a.ro"})
    assert response.status_code == 302 and reverse("account_reauthenticate") in response["Location"]
