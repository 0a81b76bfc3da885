from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Contract, ExpiryNotice
from contracts.tests.factories import AnnexFactory, ContractFactory
from files.services import document_create

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today():
    return timezone.localdate()


def test_status_follows_the_dates(company_a, settings):
    settings.CONTRACT_EXPIRING_SOON_DAYS = 30
    assert ContractFactory(company=company_a, end_date=today() + timedelta(days=90)).display_status() == "active"
    assert ContractFactory(company=company_a, end_date=today() + timedelta(days=10)).display_status() == "expiring"
    assert ContractFactory(company=company_a, end_date=today() - timedelta(days=1)).display_status() == "expired"
    assert ContractFactory(company=company_a, end_date=None).display_status() == "active"
    assert ContractFactory(company=company_a, status=Contract.Status.TERMINATED).display_status() == "terminated"
    for status in ("active", "expiring", "expired", "terminated"):
        listed = Contract.objects.for_company(company_a).with_display_status(status)
        assert {c.display_status() for c in listed} == {status}


def test_annexes_change_value_and_end_date(company_a):
    contract = ContractFactory(company=company_a, value=Decimal("100000.00"), end_date=today() + timedelta(days=30))
    AnnexFactory(contract=contract, number=1, value_change=Decimal("15000.50"))
    AnnexFactory(
        contract=contract, number=2, value_change=Decimal("-500.50"), new_end_date=today() + timedelta(days=400)
    )
    services.contract_refresh(contract=contract)
    contract.refresh_from_db()
    assert contract.current_value == Decimal("114500.00")
    assert contract.current_end_date == today() + timedelta(days=400)
    assert contract.end_date == today() + timedelta(days=30)


def test_drafts_are_not_shown_to_clients(client, admin_a, company_a):
    draft = ContractFactory(company=company_a, status=Contract.Status.DRAFT, number="CTR-DRAFT")
    ContractFactory(company=company_a, number="CTR-VISIBLE")
    client.force_login(admin_a)
    page = client.get(reverse("contracts:list")).content.decode()
    assert "CTR-VISIBLE" in page and "CTR-DRAFT" not in page
    assert client.get(reverse("contracts:detail", args=[draft.public_id])).status_code == 404


def test_other_company_gets_404(client, member_b, company_a):
    contract = ContractFactory(company=company_a)
    client.force_login(member_b)
    assert client.get(reverse("contracts:detail", args=[contract.public_id])).status_code == 404
    assert contract.number not in client.get(reverse("contracts:list")).content.decode()


def test_list_filters_and_sorts_by_end_date(client, admin_a, company_a, settings):
    settings.CONTRACT_EXPIRING_SOON_DAYS = 30
    ContractFactory(company=company_a, number="LATE", end_date=today() + timedelta(days=300))
    ContractFactory(company=company_a, number="SOON", end_date=today() + timedelta(days=5))
    ContractFactory(company=company_a, number="GONE", end_date=today() - timedelta(days=5))
    client.force_login(admin_a)
    page = client.get(reverse("contracts:list")).content.decode()
    assert page.index("GONE") < page.index("SOON") < page.index("LATE")
    expiring = client.get(reverse("contracts:list"), {"status": "expiring"}).content.decode()
    assert "SOON" in expiring and "LATE" not in expiring and "GONE" not in expiring


def test_detail_shows_annexes_and_documents_in_fixed_queries(
    client, admin_a, company_a, staff, django_assert_max_num_queries
):
    contract = ContractFactory(company=company_a)

    def add(n):
        for i in range(n):
            annex = AnnexFactory(contract=contract, number=contract.annexes.count() + 1, title=f"Act {i}")
            document_create(
                company=company_a,
                title=f"Act adițional semnat {i}",
                user=staff,
                linked=annex,
                uploaded=SimpleUploadedFile(f"act-{i}.pdf", PDF),
            )
        document_create(
            company=company_a,
            title=f"Contract semnat {n}",
            user=staff,
            linked=contract,
            uploaded=SimpleUploadedFile("contract.pdf", PDF),
        )

    client.force_login(admin_a)
    add(1)
    url = reverse("contracts:detail", args=[contract.public_id])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(15)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    page = response.content.decode()
    assert "Act adițional semnat 14" in page and "Contract semnat 15" in page


def test_list_runs_fixed_queries(client, admin_a, company_a, django_assert_max_num_queries):
    ContractFactory.create_batch(3, company=company_a)
    client.force_login(admin_a)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("contracts:list"))
    ContractFactory.create_batch(60, company=company_a)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("contracts:list"))
    assert "Pagina 1 din 3" in response.content.decode()


@pytest.fixture
def expiring(company_a, admin_a, settings):
    settings.CONTRACT_EXPIRY_NOTICE_DAYS = [60, 30, 7]
    settings.STAFF_NOTIFICATION_EMAILS = ["vanzari@furnizor.ro"]
    return ContractFactory(company=company_a, number="CTR-EXP", end_date=today() + timedelta(days=25))


def test_expiry_notice_is_sent_once_per_threshold(
    expiring, admin_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices() == 1
    # 25 days left: the 30-day notice (the 60-day one is recorded as passed, not sent late).
    assert {(n.days_before) for n in ExpiryNotice.objects.all()} == {60, 30}
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == [admin_a.email, "vanzari@furnizor.ro"]
    assert "CTR-EXP" in mailoutbox[0].subject
    assert admin_a.notifications.filter(kind="contract.expiring").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices() == 0
        call_command("notify_expiring_contracts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mailoutbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices(today=today() + timedelta(days=20)) == 1
    assert ExpiryNotice.objects.filter(days_before=7).exists()
    assert len(mailoutbox) == 4


def test_expiry_notice_task_twice_sends_once(expiring, mailoutbox, django_capture_on_commit_callbacks):
    from contracts.tasks import send_expiry_notice_emails

    with django_capture_on_commit_callbacks(execute=True):
        services.send_expiry_notices()
    notice = ExpiryNotice.objects.get(days_before=30)
    send_expiry_notice_emails(notice.pk)
    send_expiry_notice_emails(notice.pk)
    assert len(mailoutbox) == 2


def test_an_extension_starts_the_notices_again(expiring, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_expiry_notices()
    AnnexFactory(contract=expiring, number=1, value_change=0, new_end_date=today() + timedelta(days=6))
    services.contract_refresh(contract=expiring)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_expiry_notices() == 1
    assert ExpiryNotice.objects.filter(days_before=7, end_date=today() + timedelta(days=6)).exists()


def test_no_notice_for_drafts_terminated_or_expired(company_a, admin_a, settings, mailoutbox):
    settings.CONTRACT_EXPIRY_NOTICE_DAYS = [30]
    ContractFactory(company=company_a, status=Contract.Status.DRAFT, end_date=today() + timedelta(days=3))
    ContractFactory(company=company_a, status=Contract.Status.TERMINATED, end_date=today() + timedelta(days=3))
    ContractFactory(company=company_a, end_date=today() - timedelta(days=3))
    assert services.send_expiry_notices() == 0


def test_admin_actions_use_the_services(client, staff, company_a):
    draft = ContractFactory(company=company_a, status=Contract.Status.DRAFT)
    client.force_login(staff)
    url = reverse("admin:contracts_contract_changelist")
    client.post(url, {"action": "activate", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Contract.Status.ACTIVE
    client.post(url, {"action": "terminate", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Contract.Status.TERMINATED and draft.terminated_on == today()


def test_admin_saves_annexes_with_the_contract_company_and_totals(client, staff, company_a):
    contract = ContractFactory(company=company_a, value=Decimal("1000.00"))
    client.force_login(staff)
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    data = {
        "company": company_a.pk,
        "number": contract.number,
        "kind": contract.kind,
        "title": contract.title,
        "status": contract.status,
        "start_date": contract.start_date.strftime("%d.%m.%Y"),
        "end_date": contract.end_date.strftime("%d.%m.%Y"),
        "value": "1000.00",
        "currency": "RON",
        "payment_terms": "",
        "description": "",
        "annexes-TOTAL_FORMS": "1",
        "annexes-INITIAL_FORMS": "0",
        "annexes-MIN_NUM_FORMS": "0",
        "annexes-MAX_NUM_FORMS": "1000",
        "annexes-0-number": "1",
        "annexes-0-title": "Suplimentare",
        "annexes-0-effective_date": today().strftime("%d.%m.%Y"),
        "annexes-0-value_change": "250.00",
        "annexes-0-new_end_date": "",
        "annexes-0-description": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract.refresh_from_db()
    assert contract.current_value == Decimal("1250.00")
    assert contract.annexes.get().company == company_a


def test_a_contract_with_many_documents_shows_them_ten_at_a_time(client, admin_a, company_a):
    from files.tests.factories import DocumentFactory

    contract = ContractFactory(company=company_a)
    for number in range(13):
        DocumentFactory(company=company_a, title=f"Proces-verbal {number:02d}", linked=contract)
    client.force_login(admin_a)
    url = reverse("contracts:detail", args=[contract.public_id])
    first = client.get(url)
    page = first.content.decode()
    assert len(first.context["documents"]) == 10 and "1–10 din 13" in page
    assert "?documents=2#documente" in page
    second = client.get(url, {"documents": 2, "x": "pastrat"})
    assert [d.title for d in second.context["documents"]] == [f"Proces-verbal {n:02d}" for n in (2, 1, 0)]
    assert "11–13 din 13" in second.content.decode()
    assert "?documents=1&amp;x=pastrat#documente" in second.content.decode()  # the page's other parameters stay


def test_admin_filters_on_the_status_the_client_sees(client, staff, company_a, settings):
    settings.CONTRACT_EXPIRING_SOON_DAYS = 30
    today = timezone.localdate()
    ContractFactory(company=company_a, number="CTR-DRAFT", status=Contract.Status.DRAFT)
    ContractFactory(company=company_a, number="CTR-SOON", current_end_date=today + timedelta(days=10))
    ContractFactory(company=company_a, number="CTR-LATER")
    client.force_login(staff)
    url = reverse("admin:contracts_contract_changelist")
    shown = {
        status: client.get(url, {"display_status": status}).content.decode()
        for status in ("draft", "expiring", "active")
    }
    assert "CTR-DRAFT" in shown["draft"] and "CTR-SOON" not in shown["draft"]
    assert "CTR-SOON" in shown["expiring"] and "CTR-LATER" not in shown["expiring"]
    assert "CTR-LATER" in shown["active"] and "CTR-DRAFT" not in shown["active"]
