"""Privacy: a person's data export (theirs only), account closure, and the staff's admin actions."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import privacy
from accounts.models import DataExport, Membership, User
from accounts.tests.factories import MembershipFactory
from files.tests.factories import StoredFileFactory, png_bytes
from portal import audit
from portal.models import AuditEntry, Notification
from support.tests.factories import MessageFactory, TicketFactory

PASSWORD = "Parola-buna-2026"


@pytest.fixture
def people_data(admin_a, member_a, member_b, company_a, company_b):
    """Company A's ticket where Ana (admin_a) and her colleague Mihai wrote; company B's own data."""
    ticket = TicketFactory(company=company_a, opened_by=admin_a)
    MessageFactory(ticket=ticket, author=admin_a, body="Mesajul Anei despre pompa CP-200")
    MessageFactory(ticket=ticket, author=member_a, body="Mesajul lui Mihai, colegul")
    MessageFactory(
        ticket=TicketFactory(company=company_b, opened_by=member_b), author=member_b, body="Mesaj Termoplast"
    )
    own = StoredFileFactory(company=company_a, name="schita-anei.png", content=png_bytes(), content_type="image/png")
    colleague = StoredFileFactory(company=company_a, name="factura-mihai.pdf")
    other = StoredFileFactory(company=company_b, name="contract-termoplast.pdf")
    type(own).objects.filter(pk=own.pk).update(uploaded_by=admin_a)
    type(own).objects.filter(pk=colleague.pk).update(uploaded_by=member_a)
    type(own).objects.filter(pk=other.pk).update(uploaded_by=member_b)
    audit.record(action="offer.accepted", company=company_a, user=admin_a)
    audit.record(action="member.invited", company=company_a, user=member_a, email="nou@client-a.ro")
    audit.record(action="offer.rejected", company=company_b, user=member_b)
    return {"ticket": ticket, "own_file": own}


def read_zip(content: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["date.json"]), files


def test_export_from_the_page_to_the_notification_to_the_zip(
    client, admin_a, people_data, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:my_data"))
    assert response.status_code == 302
    export = DataExport.objects.get(user=admin_a)
    assert export.is_ready and export.expires_at > timezone.now() + timedelta(days=6)
    notification = Notification.objects.get(user=admin_a, kind="account.data_export")
    opened = client.post(reverse("portal:notification_open", args=[notification.public_id]))
    download = client.get(opened["Location"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="date-personale-')
    data, files = read_zip(b"".join(download.streaming_content))
    assert data["profil"][0]["email"] == "admin.a@client-a.ro"
    assert [row["companie"] for row in data["companii"]] == ["Agroserv Test SRL"]
    assert [row["mesaj"] for row in data["mesaje_suport"]] == ["Mesajul Anei despre pompa CP-200"]
    assert [row["nume"] for row in data["fisiere_incarcate"]] == ["schita-anei.png"]
    assert files[data["fisiere_incarcate"][0]["in_arhiva"]] == people_data["own_file"].file.open().read()
    assert "offer.accepted" in [row["actiune"] for row in data["jurnal_activitate"]]


def test_the_export_holds_nothing_of_another_person_or_company(admin_a, people_data):
    data, files = read_zip(privacy.export_zip(admin_a))
    everything = json.dumps(data, ensure_ascii=False) + " ".join(files)
    for foreign in ("Mihai", "member.a@", "factura-mihai", "nou@client-a.ro", "member.invited"):
        assert foreign not in everything, foreign
    for foreign in ("Termoplast", "admin.b@", "contract-termoplast", "offer.rejected", "Elena"):
        assert foreign not in everything, foreign
    assert sorted(name for name in files if name.startswith("fisiere/")) == [data["fisiere_incarcate"][0]["in_arhiva"]]


def test_asking_twice_makes_one_export_and_building_twice_notifies_once(admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = privacy.export_request(user=admin_a)
        second = privacy.export_request(user=admin_a)
    assert first.pk == second.pk and len(callbacks) == 1
    privacy.export_build(export_id=first.pk)
    name = DataExport.objects.get(pk=first.pk).file.name
    privacy.export_build(export_id=first.pk)
    assert DataExport.objects.get(pk=first.pk).file.name == name
    assert Notification.objects.filter(user=admin_a, kind="account.data_export").count() == 1


def ready_export(user, **fields):
    export = privacy.export_request(user=user)
    privacy.export_build(export_id=export.pk)
    DataExport.objects.filter(pk=export.pk).update(**fields)
    return DataExport.objects.get(pk=export.pk)


def test_only_its_owner_downloads_an_export(client, admin_a, member_a, staff):
    export = ready_export(admin_a)
    url = reverse("accounts:data_export_download", args=[export.public_id])
    for other in (member_a, staff):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_an_expired_export_is_gone(client, admin_a):
    export = ready_export(admin_a, expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(admin_a)
    assert client.get(reverse("accounts:data_export_download", args=[export.public_id])).status_code == 404
    assert export.public_id.hex not in client.get(reverse("accounts:my_data")).content.decode()


def test_my_data_page_queries_stay_fixed(client, admin_a, django_assert_max_num_queries):
    for _ in range(30):
        DataExport.objects.create(user=admin_a, expires_at=timezone.now() + timedelta(days=3))
    client.force_login(admin_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:my_data"))
    assert response.content.decode().count("în pregătire") == 5


# --- closing the account --------------------------------------------------------------------------


def close(client, user, **data):
    client.force_login(user)
    return client.post(reverse("accounts:account_close"), {"password": PASSWORD, "confirm": "on", **data})


def test_a_wrong_password_or_no_confirmation_closes_nothing(client, member_a):
    member_a.set_password(PASSWORD)
    member_a.save()
    wrong = close(client, member_a, password="alta-parola-1")
    assert wrong.status_code == 200 and "Parola nu este corectă" in wrong.content.decode()
    unconfirmed = close(client, member_a, confirm="")
    assert unconfirmed.status_code == 200 and "Bifați confirmarea" in unconfirmed.content.decode()
    member_a.refresh_from_db()
    assert member_a.is_active and member_a.email == "member.a@client-a.ro"


def test_closing_anonymises_the_person_and_keeps_the_company_records(client, admin_a, member_a, people_data):
    member_a.set_password(PASSWORD)
    member_a.save()
    Authenticator.objects.create(user=member_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    elsewhere = Client()
    elsewhere.force_login(member_a)
    response = close(client, member_a)
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert SESSION_KEY not in client.session
    member_a.refresh_from_db()
    assert str(member_a) == "fost utilizator" and member_a.phone == ""
    assert member_a.email.startswith("fost-utilizator-") and member_a.email.endswith("@anonimizat.invalid")
    assert not member_a.has_usable_password() and not member_a.is_active
    assert not Authenticator.objects.filter(user=member_a).exists()
    assert not Membership.objects.filter(user=member_a).exists()
    # Another session of the same person is over too.
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    # Mihai's message stays in company A's ticket, signed "fost utilizator"; the ticket and Ana are untouched.
    message = people_data["ticket"].messages.get(body="Mesajul lui Mihai, colegul")
    assert str(message.author) == "fost utilizator"
    assert AuditEntry.objects.filter(action="account.closed", company__name="Agroserv Test SRL").exists()
    assert AuditEntry.objects.filter(user=member_a, ip__isnull=False).count() == 0


def test_the_last_administrator_of_a_company_with_colleagues_must_hand_over_first(client, admin_a, member_a):
    admin_a.set_password(PASSWORD)
    admin_a.save()
    response = close(client, admin_a)
    assert response.status_code == 200
    assert "singurul administrator al companiei Agroserv Test SRL" in response.content.decode()
    admin_a.refresh_from_db()
    assert admin_a.is_active and Membership.objects.filter(user=admin_a).exists()


def test_a_sole_member_may_close(company_b, member_b):
    privacy.account_close(user=member_b, by=member_b)
    member_b.refresh_from_db()
    assert not member_b.is_active


def test_two_closed_accounts_get_different_addresses(member_a, member_b, company_a):
    MembershipFactory(company=company_a, role=Membership.Role.ADMIN)  # member_b is company B's only member
    privacy.account_close(user=member_a, by=member_a)
    privacy.account_close(user=member_b, by=member_b)
    assert User.objects.filter(email__endswith="@anonimizat.invalid").count() == 2


# --- staff, from the admin --------------------------------------------------------------------------


def test_staff_export_a_person_from_the_admin_and_download_it(
    client, staff, admin_a, people_data, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    changelist = reverse("admin:accounts_user_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "export_personal_data", "_selected_action": [admin_a.pk]})
    export = DataExport.objects.get(user=admin_a)
    assert export.requested_by == staff and export.is_ready
    data, _files = read_zip(
        b"".join(client.get(reverse("accounts:data_export_download", args=[export.public_id])).streaming_content)
    )
    assert data["profil"][0]["email"] == "admin.a@client-a.ro"
    assert client.get(reverse("admin:accounts_dataexport_changelist")).status_code == 200


def test_staff_anonymise_after_a_confirmation(client, staff, member_a):
    client.force_login(staff)
    changelist = reverse("admin:accounts_user_changelist")
    asked = client.post(changelist, {"action": "anonymise", "_selected_action": [member_a.pk]})
    assert asked.status_code == 200 and "member.a@client-a.ro" in asked.content.decode()
    member_a.refresh_from_db()
    assert member_a.is_active
    client.post(changelist, {"action": "anonymise", "_selected_action": [member_a.pk], "confirm": "yes"})
    member_a.refresh_from_db()
    assert str(member_a) == "fost utilizator" and not member_a.is_active


def test_the_privacy_notice_is_public_in_both_languages(client):
    page = client.get(reverse("accounts:privacy")).content.decode()
    assert "ANSPDCP" in page and "12 luni" in page and "7 zile" in page
    switched = client.post(reverse("accounts:set_language"), {"language": "en", "next": reverse("accounts:privacy")})
    assert switched["Location"] == reverse("accounts:privacy")
    english = client.get(reverse("accounts:privacy")).content.decode()
    assert "Privacy notice" in english and "12 months" in english


def test_the_footer_and_the_signup_form_link_the_notice(client):
    url = reverse("accounts:privacy")
    assert url in client.get(reverse("account_signup")).content.decode()
    assert f'href="{url}"' in client.get(reverse("account_login")).content.decode()
