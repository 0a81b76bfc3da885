"""Foundation flows in Chromium, at desktop and phone width, with axe on every page."""

import re

import pytest

from accounts.models import Company, Membership
from accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in(message, path_fragment: str, base_url: str) -> str:
    """The emailed link, pointed at the live server instead of SITE_URL."""
    url = re.search(rf"https?://\S*{path_fragment}\S*", message.body).group(0).rstrip(".")
    return base_url + url[url.index(path_fragment) :]


def log_in(visitor, email: str, password: str = PASSWORD):
    page = visitor.page
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile("^Parol")).fill(password)
    page.get_by_role("button", name="Logare").click()
    page.wait_for_load_state("load")


def _client_signs_up_with_a_wrong_cui_first(visitor) -> Company:
    page = visitor.page
    page.get_by_label("Prenume").fill("Maria")
    page.get_by_label("Nume", exact=True).fill("Vasilescu")
    page.get_by_label("Email").fill("maria.vasilescu@nordic-metal.ro")
    page.get_by_label("Telefon").fill("0745 111 222")
    page.locator("input[name=password1]").fill("Metal-nordic-2026")
    page.locator("input[name=password2]").fill("Metal-nordic-2026")
    page.get_by_label("Denumirea companiei").fill("Nordic Metal SRL")
    page.get_by_label("CUI").fill("123")
    page.get_by_label("Nr. Reg. Com.").fill("J12/345/2020")
    page.get_by_label("Adresa sediului").fill("Str. Oțelarilor nr. 7")
    page.get_by_label("Localitate").fill("Cluj-Napoca")
    page.get_by_label("Județ").fill("Cluj")
    page.get_by_role("button", name="Înregistrare").click()
    visitor.check()
    assert page.get_by_text("nu este valid").first.is_visible()
    visitor.shot("signup-errors")
    assert not Company.objects.filter(name="Nordic Metal SRL").exists()

    page.locator("input[name=password1]").fill("Metal-nordic-2026")
    page.locator("input[name=password2]").fill("Metal-nordic-2026")
    page.get_by_label("CUI").fill("RO46093156")
    visitor.shot("signup")
    page.get_by_role("button", name="Înregistrare").click()
    visitor.check()
    company = Company.objects.get(cui="RO46093156")
    assert company.status == Company.Status.PENDING
    return company


def _client_confirms_the_email_and_waits(visitor, mailoutbox, live_server):
    page = visitor.page
    confirmation = next(m for m in mailoutbox if "maria.vasilescu@nordic-metal.ro" in m.to)
    page.goto(link_in(confirmation, "/cont/confirm-email/", live_server.url))
    visitor.check()
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_url(re.compile("/cont/in-asteptare/"))
    visitor.check()
    assert page.get_by_role("heading", name=re.compile("așteaptă aprobarea")).is_visible()
    visitor.shot("pending")
    assert "Nordic Metal SRL" not in page.locator("header").inner_text()


def _staff_approve_the_company(browser, live_server, staff, company):
    # Supplier staff approve the company in admin, through the same login.
    staff_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ro-RO")
    staff_page = staff_context.new_page()
    staff_page.goto(live_server.url + "/admin/")
    staff_page.get_by_label("Email").fill(staff.email)
    staff_page.get_by_label(re.compile("^Parol")).fill(PASSWORD)
    staff_page.get_by_role("button", name="Logare").click()
    staff_page.goto(live_server.url + f"/admin/accounts/company/?q={company.cui}")
    staff_page.locator(f"input[name=_selected_action][value='{company.pk}']").check()
    staff_page.locator("select[name=action]").select_option("approve")
    staff_page.locator("div.actions button[type=submit]").click()
    staff_page.wait_for_load_state("load")
    assert "aprobat" in staff_page.locator("ul.messagelist").inner_text()
    staff_context.close()


def test_register_verify_wait_approved_dashboard(visitor, browser, live_server, staff, mailoutbox):
    page = visitor.page
    visitor.goto("/cont/login/")
    visitor.shot("login")
    page.get_by_role("link", name=re.compile("Înregistrare")).first.click()
    visitor.check()

    company = _client_signs_up_with_a_wrong_cui_first(visitor)
    _client_confirms_the_email_and_waits(visitor, mailoutbox, live_server)
    _staff_approve_the_company(browser, live_server, staff, company)
    company.refresh_from_db()
    assert company.status == Company.Status.ACTIVE
    assert any("maria.vasilescu@nordic-metal.ro" in m.to and "aprobat" in m.subject for m in mailoutbox)

    visitor.goto("/")
    assert page.get_by_role("heading", name="Tablou de bord").is_visible()
    assert "Nordic Metal SRL" in page.locator("header").inner_text()
    visitor.shot("dashboard-new-company")


def test_company_admin_invites_a_colleague_who_joins(visitor, browser, live_server, admin_a, company_a, mailoutbox):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.check()
    assert page.get_by_role("heading", name="Tablou de bord").is_visible()
    visitor.shot("dashboard")

    visitor.goto("/cont/companie/membri/")
    page.get_by_label("Adresa de email a colegului").fill("dan.marin@client-a.ro")
    page.get_by_label("Vede facturi, plăți și fișa de cont").check()
    page.get_by_role("button", name="Trimite invitația").click()
    visitor.check()
    assert page.get_by_text("Invitația a fost trimisă la dan.marin@client-a.ro").is_visible()
    visitor.shot("members")

    invitation = next(m for m in mailoutbox if "dan.marin@client-a.ro" in m.to)
    colleague = browser.new_context(viewport=page.viewport_size)
    colleague_visitor = type(visitor)(colleague.new_page(), live_server.url, visitor.viewport)
    colleague_page = colleague_visitor.page
    colleague_page.goto(link_in(invitation, "/cont/invitatie/", live_server.url))
    colleague_visitor.check()
    colleague_visitor.shot("invitation")
    colleague_page.get_by_label("Prenume").fill("Dan")
    colleague_page.locator("input[name=last_name]").fill("Marin")
    colleague_page.get_by_label("Telefon").fill("0721 333 444")
    colleague_page.locator("input[name=password1]").fill("Dan-Marin-2026!")
    colleague_page.locator("input[name=password2]").fill("Dan-Marin-2026!")
    colleague_page.get_by_role("button", name="Creează contul și intră").click()
    colleague_page.wait_for_url(live_server.url + "/")
    colleague_visitor.check()
    assert company_a.name in colleague_page.locator("header").inner_text()
    membership = Membership.objects.get(user__email="dan.marin@client-a.ro", company=company_a)
    assert membership.is_active and membership.can_see_billing and not membership.can_accept_offers
    colleague.close()

    visitor.goto("/cont/companie/membri/")
    assert page.get_by_text("dan.marin@client-a.ro").first.is_visible()
