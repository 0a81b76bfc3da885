"""Privacy in Chromium, desktop and phone, axe on every page: the notice from the footer, a person's
data export announced by a notification whose link downloads the ZIP, and closing an account."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD
from support.tests.factories import MessageFactory, TicketFactory
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_privacy_notice_from_the_footer(visitor):
    page = visitor.page
    visitor.goto(reverse("account_login"))
    page.locator("footer").get_by_role("link", name="Protecția datelor").click()
    visitor.check()
    assert page.get_by_role(
        "heading", name="Notă de informare privind protecția datelor cu caracter personal"
    ).is_visible()
    assert page.get_by_text("ANSPDCP").first.is_visible()
    visitor.shot("privacy-notice")
    page.get_by_role("button", name="English version").click()
    visitor.check()
    assert page.get_by_role("heading", name="Privacy notice").is_visible()


def test_a_user_downloads_their_data_from_the_notification(visitor, admin_a, company_a):
    MessageFactory(ticket=TicketFactory(company=company_a, opened_by=admin_a), author=admin_a, body="Pompa nu pornește")
    page = visitor.page
    visitor.goto(reverse("account_login"))
    log_in(visitor, admin_a.email)
    visitor.goto(reverse("accounts:profile"))
    page.get_by_role("link", name="Datele mele").last.click()
    visitor.check()
    page.get_by_role("button", name="Cere exportul datelor").click()
    visitor.check()
    assert page.get_by_text("Pregătim exportul datelor dumneavoastră").is_visible()
    visitor.shot("privacy-my-data")

    visitor.goto(reverse("portal:notifications"))
    with page.expect_download() as info:
        page.get_by_role("button", name="Exportul datelor personale este gata").click()
    download = info.value
    assert download.suggested_filename.startswith("date-personale-") and download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        data = json.loads(archive.read("date.json"))
    assert data["profil"][0]["email"] == admin_a.email
    assert [row["mesaj"] for row in data["mesaje_suport"]] == ["Pompa nu pornește"]


def test_a_user_closes_their_account_after_confirming(visitor, admin_a, member_a):
    page = visitor.page
    visitor.goto(reverse("account_login"))
    log_in(visitor, member_a.email)
    visitor.goto(reverse("accounts:my_data"))
    page.get_by_role("link", name="Închide contul").click()
    visitor.check()
    page.get_by_role("button", name="Închide definitiv contul").click()  # nothing filled in: refused
    visitor.check()
    assert page.get_by_text("Bifați confirmarea pentru a închide contul.").is_visible()
    visitor.shot("privacy-close-errors")
    page.get_by_label("Parola actuală").fill(PASSWORD)
    page.get_by_label("Înțeleg că închiderea contului este definitivă").check()
    page.get_by_role("button", name="Închide definitiv contul").click()
    visitor.check()
    assert page.get_by_text("Contul a fost închis").is_visible()
    visitor.shot("privacy-closed")
    closed = User.objects.get(pk=member_a.pk)
    assert str(closed) == "fost utilizator" and not closed.is_active
