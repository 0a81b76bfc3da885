"""The pages of a refused form (CSRF) and of a rate limit (429): the portal's layout, Romanian by default."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD

LAYOUT = ('class="navbar', 'id="main"', "portal-footer")


def refused_form(client: Client, **extra):
    return client.post(reverse("account_login"), {"login": "cineva@client-a.ro", "password": "x"}, **extra)


def in_layout(html: str) -> bool:
    return all(marker in html for marker in LAYOUT) and settings.SUPPLIER["email"] in html


@pytest.mark.django_db
def test_a_refused_form_gets_a_romanian_page_in_the_layout(django_assert_num_queries):
    client = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):  # an anonymous visitor's page needs no database
        response = refused_form(client)
    html = response.content.decode()
    assert response.status_code == 403 and in_layout(html) and '<html lang="ro">' in html
    assert "Formularul a expirat" in html and "Reîncărcați pagina și încercați din nou." in html
    assert f'href="{reverse("dashboard:home")}"' in html  # no Referer: the way back is the dashboard
    assert "CSRF" not in html and "Forbidden" not in html


@pytest.mark.django_db
def test_the_way_back_is_the_form_s_page_when_it_was_on_this_site():
    client = Client(enforce_csrf_checks=True)
    page = "http://testserver" + reverse("account_login") + "?next=/facturi/"
    html = refused_form(client, HTTP_REFERER=page).content.decode()
    assert 'href="http://testserver/cont/login/?next=/facturi/"' in html and "Înapoi la pagina formularului" in html
    # A form that came from another site (a real forgery) is not linked back to.
    html = refused_form(client, HTTP_REFERER="https://atacator.example/").content.decode()
    assert "atacator" not in html and f'href="{reverse("dashboard:home")}"' in html


def test_a_logged_in_member_gets_it_with_the_portal_s_menu(admin_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    response = client.post(reverse("accounts:set_language"), {"language": "en"})
    html = response.content.decode()
    assert response.status_code == 403 and in_layout(html) and 'id="portal-nav"' in html
    assert "Formularul a expirat" in html and admin_a.email in html


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_the_refused_form_page_follows_the_language():
    response = refused_form(english(Client(enforce_csrf_checks=True)))
    html = response.content.decode()
    assert response.status_code == 403 and in_layout(html) and '<html lang="en">' in html
    assert "Skip to content" in html and "Salt la conținut" not in html  # the layout's strings, already translated


@pytest.mark.django_db
def test_the_refused_form_page_speaks_english():
    html = refused_form(english(Client(enforce_csrf_checks=True))).content.decode()
    assert "Formularul a expirat" not in html and "Reîncărcați" not in html


@pytest.fixture
def one_login_a_minute(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}


@pytest.mark.django_db
def test_a_rate_limit_gets_a_romanian_page_in_the_layout(one_login_a_minute, django_assert_num_queries):
    client = Client()
    refused_form(client)
    with django_assert_num_queries(0):
        response = refused_form(client)
    html = response.content.decode()
    assert response.status_code == 429 and in_layout(html) and '<html lang="ro">' in html
    assert "Prea multe încercări" in html and "Așteptați câteva minute și încercați din nou." in html
    assert f'href="{reverse("account_login")}"' in html


def test_a_logged_in_user_is_sent_back_to_the_dashboard(settings, admin_a):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "change_password": "1/m/user"}
    client = Client()
    client.force_login(admin_a)
    data = {"oldpassword": "gresita-1234", "password1": "Parola-noua-2026!", "password2": "Parola-noua-2026!"}
    client.post(reverse("account_change_password"), data)
    response = client.post(reverse("account_change_password"), data)
    html = response.content.decode()
    assert response.status_code == 429 and in_layout(html) and 'id="portal-nav"' in html
    assert "Prea multe încercări" in html and f'href="{reverse("dashboard:home")}"' in html
    admin_a.refresh_from_db()
    assert admin_a.check_password(PASSWORD)


@pytest.mark.django_db
def test_the_rate_limit_page_follows_the_language(one_login_a_minute):
    client = english(Client())
    refused_form(client)
    response = refused_form(client)
    html = response.content.decode()
    assert response.status_code == 429 and in_layout(html) and '<html lang="en">' in html
    assert "Skip to content" in html and "Salt la conținut" not in html


@pytest.mark.django_db
def test_the_rate_limit_page_speaks_english(one_login_a_minute):
    client = english(Client())
    refused_form(client)
    html = refused_form(client).content.decode()
    assert "Prea multe încercări" not in html and "Așteptați" not in html
