"""The invoice and payment lists as XLSX (and as a long CSV) are built by a task, never in the request: the
request answers a page that says so (202), the client is notified with the link, the same request while
nothing changed gives the same file, the file goes after a week. What the files hold: test_exports.py."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from billing import exports, services
from billing.models import ListExport
from billing.services import built_exports
from billing.tests.factories import issued_invoice, record_payment
from files.models import StoredFile
from portal.models import AuditEntry, Notification


@pytest.fixture
def invoices_a(company_a):
    return [issued_invoice(company_a, series="A", number=number) for number in (1, 2, 3)]


def ask(client, name="billing:invoice_export_xlsx", params=None, *, capture):
    with capture(execute=True):
        return client.get(reverse(name), params or {})


def test_the_xlsx_is_asked_for_built_by_the_task_and_announced(
    client, admin_a, invoices_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("billing:invoice_export_xlsx"), {"status": "emisa"})
    # Nothing is built while answering: the page says it is being prepared and refreshes itself.
    assert response.status_code == 202 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Exportul se pregătește" in page and 'http-equiv="refresh"' in page and len(callbacks) == 1
    assert not StoredFile.objects.exists()
    export = ListExport.objects.get()
    assert (export.kind, export.format, export.filters, export.status) == (
        "invoice",
        "xlsx",
        {"status": "emisa", "sort": "-issued"},
        "pending",
    )

    callbacks[0]()  # the task
    export.refresh_from_db()
    assert export.status == ListExport.Status.READY and export.file.content_type == exports.XLSX_CONTENT_TYPE
    notification = Notification.objects.get(user=admin_a, kind="invoice.list_export_ready")
    assert notification.url == reverse("billing:list_export_download", args=[export.public_id])
    ready = client.get(reverse("billing:list_export", args=[export.public_id]))
    assert ready.status_code == 200 and "Exportul este gata" in ready.content.decode()
    download = client.get(notification.url)
    assert download["Content-Disposition"].startswith('attachment; filename="Facturi-')
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [("A", 3), ("A", 2), ("A", 1)]
    assert AuditEntry.objects.filter(action="invoice.list_export_requested").count() == 1
    assert AuditEntry.objects.filter(action="invoice.list_downloaded").count() == 1


def test_asking_again_gives_the_same_file_until_the_data_changes(
    client, admin_a, company_a, invoices_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    first = ask(client, capture=django_capture_on_commit_callbacks)
    export = ListExport.objects.get()
    again = client.get(reverse("billing:invoice_export_xlsx"))
    assert first.status_code == 202 and again.status_code == 302
    assert again["Location"] == reverse("billing:list_export_download", args=[export.public_id])
    assert ask(client, params={"status": "emisa"}, capture=django_capture_on_commit_callbacks).status_code == 202
    assert ListExport.objects.count() == 2  # another filter, another file
    issued_invoice(company_a, series="A", number=4)  # the list changed: the old file would miss it
    assert ask(client, capture=django_capture_on_commit_callbacks).status_code == 202
    newest = ListExport.objects.filter(filters={}).order_by("-id").first()
    assert newest.pk != export.pk
    sheet = load_workbook(io.BytesIO(newest.file.file.read())).active
    assert sheet.max_row == 1 + 4


def test_the_task_run_twice_keeps_one_file_and_notifies_once(admin_a, company_a, invoices_a):
    export = services.list_export_request(company=company_a, user=admin_a, kind="payment", fmt="xlsx", filters={})
    services.list_export_build(export_id=export.pk)
    services.list_export_build(export_id=export.pk)
    assert StoredFile.objects.count() == 1
    assert Notification.objects.filter(kind="payment.list_export_ready").count() == 1


def test_a_long_csv_is_built_by_the_task_too(
    client, admin_a, company_a, invoices_a, monkeypatch, django_capture_on_commit_callbacks
):
    record_payment(company_a, "10.00", reference="OP 1")
    record_payment(company_a, "20.00", reference="OP 2")
    client.force_login(admin_a)
    assert client.get(reverse("billing:payment_export_csv")).status_code == 200  # two rows: at once
    monkeypatch.setattr(built_exports, "CSV_DIRECT_ROWS", 1)
    monkeypatch.setattr(services, "CSV_DIRECT_ROWS", 1)
    response = ask(client, "billing:payment_export_csv", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202
    export = ListExport.objects.get()
    assert export.format == "csv" and export.file.content_type == exports.CSV_CONTENT_TYPE
    content = export.file.file.read().decode("utf-8-sig")
    assert content.splitlines()[0].startswith("Data plății;Referință") and "OP 2" in content


def test_a_failed_build_says_so_and_asking_again_makes_a_new_one(
    client, admin_a, company_a, invoices_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(table):
        raise OSError("disk full")

    monkeypatch.setitem(services.list_exports.WRITERS, "xlsx", (broken, exports.XLSX_CONTENT_TYPE))
    client.force_login(admin_a)
    ask(client, capture=django_capture_on_commit_callbacks)
    export = ListExport.objects.get()
    assert export.status == ListExport.Status.FAILED and "disk full" in export.error
    page = client.get(reverse("billing:list_export_download", args=[export.public_id]))
    assert page.status_code == 200 and "Exportul nu a putut fi pregătit" in page.content.decode()
    monkeypatch.undo()
    assert ask(client, capture=django_capture_on_commit_callbacks).status_code == 202
    assert ListExport.objects.filter(status=ListExport.Status.READY).count() == 1


def test_after_a_week_the_link_answers_410_and_the_cleanup_deletes_row_and_file(
    client, admin_a, company_a, invoices_a, django_capture_on_commit_callbacks
):
    export = services.list_export_request(company=company_a, user=admin_a, kind="invoice", fmt="xlsx", filters={})
    export = services.list_export_build(export_id=export.pk)
    name = export.file.file.name
    assert default_storage.exists(name)
    ListExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(admin_a)
    for route in ("billing:list_export_download", "billing:list_export"):
        response = client.get(reverse(route, args=[export.public_id]))
        assert response.status_code == 410 and "Fișierul a expirat" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_delete_expired() == 1
    assert not ListExport.objects.exists() and not default_storage.exists(name)
    assert AuditEntry.objects.filter(action="billing.list_export_deleted").count() == 1
    assert services.exports_delete_expired() == 0


def test_another_company_and_a_member_without_the_billing_right_never_get_it(
    client, admin_a, member_a, member_b, company_a, invoices_a
):
    export = services.list_export_request(company=company_a, user=admin_a, kind="invoice", fmt="xlsx", filters={})
    services.list_export_build(export_id=export.pk)
    for route in ("billing:list_export_download", "billing:list_export"):
        url = reverse(route, args=[export.public_id])
        client.force_login(member_b)
        assert client.get(url).status_code == 404
        client.force_login(member_a)
        assert client.get(url).status_code == 403


def test_the_export_page_runs_a_fixed_number_of_queries(
    client, admin_a, company_a, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    ask(client, capture=django_capture_on_commit_callbacks)
    export = ListExport.objects.get()
    url = reverse("billing:list_export", args=[export.public_id])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for number in range(30):
        issued_invoice(company_a, number=100 + number)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_the_daily_retention_deletes_every_kind_of_export_past_its_days(
    admin_a, company_a, invoices_a, settings, django_capture_on_commit_callbacks
):
    from portal import retention

    settings.RETENTION_EXPORT_DAYS = 3
    now = timezone.now()
    ask = {"company": company_a, "user": admin_a, "fmt": "xlsx", "filters": {}}
    gone = services.list_export_build(export_id=services.list_export_request(kind="invoice", **ask).pk)
    kept = services.list_export_build(export_id=services.list_export_request(kind="payment", **ask).pk)
    assert gone.expires_at - now < timedelta(days=3, minutes=1)  # the setting, not a fixed week
    gone_name, kept_name = gone.file.file.name, kept.file.file.name
    ListExport.objects.filter(pk=gone.pk).update(expires_at=now - timedelta(seconds=1))
    ListExport.objects.filter(pk=kept.pk).update(expires_at=now)
    with django_capture_on_commit_callbacks(execute=True):
        counts = retention.apply(now)
    assert counts["billing_exports"] == 1
    assert list(ListExport.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not default_storage.exists(gone_name) and default_storage.exists(kept_name)
