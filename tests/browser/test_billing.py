"""Invoices and payments in Chromium, at desktop and phone width, with axe on every page: the client
filters overdue invoices, downloads a PDF and announces a payment with its proof; staff confirm it
in admin; the invoice shows as paid."""

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import PASSWORD
from billing import services
from billing.models import AnafStatus, Invoice, PaymentNotice
from billing.tests.factories import issued_invoice, record_payment
from files.tests.factories import pdf_bytes, pdf_upload
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invoices(company_a):
    today = timezone.localdate()
    late = issued_invoice(
        company_a,
        series="FRN",
        number=4233,
        lines=[("1000.00", 21)],
        issue_date=today - timedelta(days=45),
        due_date=today - timedelta(days=15),
    )
    paid = issued_invoice(
        company_a,
        series="FRN",
        number=4201,
        lines=[("500.00", 21)],
        issue_date=today - timedelta(days=90),
        due_date=today - timedelta(days=60),
    )
    record_payment(company_a, "605.00", invoices=[paid], reference="OP 1")
    upcoming = issued_invoice(
        company_a,
        series="FRN",
        number=4240,
        lines=[("2", "750.00", 21), ("1", "95.00", 11)],
        issue_date=today - timedelta(days=2),
        due_date=today + timedelta(days=28),
    )
    return {"late": late, "paid": paid, "upcoming": upcoming}


def _client_filters_the_overdue_invoices(visitor):
    page = visitor.page
    visitor.goto("/facturi/")
    assert page.get_by_text("Restant", exact=True).is_visible()
    visitor.shot("billing-invoices")
    if visitor.viewport == "phone":  # the filters are folded behind one button there
        page.get_by_role("button", name="Filtre", exact=True).click()
    page.get_by_label("Stare").select_option("restanta")
    page.get_by_role("button", name="Filtrează").click()
    visitor.check()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "FRN 4233" in rows.first.inner_text()
    visitor.shot("billing-overdue")


def _client_opens_and_downloads_the_invoice(visitor):
    page = visitor.page
    page.get_by_role("link", name="FRN 4233").click()
    visitor.check()
    assert page.get_by_role("heading", name="Factura FRN 4233").is_visible()
    assert page.get_by_text("restantă", exact=True).first.is_visible()
    visitor.shot("billing-invoice")
    with page.expect_download() as download:
        page.get_by_role("link", name="Descarcă PDF").click()
    assert download.value.suggested_filename == "Factura-FRN-4233.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")


def _client_announces_the_payment(visitor) -> PaymentNotice:
    page = visitor.page
    page.get_by_role("link", name="Anunțați plata").click()
    visitor.check()
    assert page.get_by_label("Suma plătită").input_value() == "1210.00"
    assert page.get_by_label(re.compile("FRN 4233")).is_checked()
    page.get_by_label("Referința plății").fill("OP 2026-118")
    page.get_by_label("Mesaj pentru furnizor").fill("Plătit azi din contul BT.")
    page.get_by_label("Dovada plății").set_input_files(
        {"name": "ordin-plata.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Ordin de plata 118")}
    )
    visitor.shot("billing-announce")
    page.get_by_role("button", name="Trimite anunțul de plată").click()
    page.wait_for_url(re.compile("/facturi/plati/$"))
    visitor.check()
    assert page.get_by_text("a fost anunțată").is_visible()
    assert page.get_by_text("în verificare").is_visible()
    visitor.shot("billing-payments-announced")
    notice = PaymentNotice.objects.get()
    assert notice.reference == "OP 2026-118" and notice.proof.original_name == "ordin-plata.pdf"
    return notice


def _staff_confirm_the_payment(browser, live_server, staff, notice):
    # Supplier staff find the money and confirm it in admin.
    staff_context = browser.new_context(viewport={"width": 1366, "height": 900})
    staff_page = staff_context.new_page()
    staff_page.goto(live_server.url + "/admin/")
    staff_page.get_by_label("Email").fill(staff.email)
    staff_page.get_by_label(re.compile("^Parol")).fill(PASSWORD)
    staff_page.get_by_role("button", name="Logare").click()
    staff_page.goto(live_server.url + "/admin/billing/paymentnotice/")
    staff_page.locator(f"input[name=_selected_action][value='{notice.pk}']").check()
    staff_page.locator("select[name=action]").select_option("confirm")
    staff_page.get_by_role("button", name=re.compile("^(Start|Execută|Go|Rulează)$")).click()
    staff_page.wait_for_load_state("load")
    assert "confirmată" in staff_page.locator("ul.messagelist").inner_text()
    staff_context.close()


def test_client_pays_an_overdue_invoice_and_staff_confirm_it(
    visitor, browser, live_server, admin_a, staff, invoices, tmp_path
):
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)

    _client_filters_the_overdue_invoices(visitor)

    _client_opens_and_downloads_the_invoice(visitor)

    notice = _client_announces_the_payment(visitor)

    _staff_confirm_the_payment(browser, live_server, staff, notice)

    visitor.goto(f"/facturi/{invoices['late'].public_id}/")
    assert page.get_by_text("plătită", exact=True).first.is_visible()
    assert page.get_by_text("OP 2026-118").is_visible()
    visitor.shot("billing-invoice-paid")
    assert Invoice.objects.get(pk=invoices["late"].pk).status == Invoice.Status.PAID

    visitor.goto("/facturi/fisa-client/")
    assert page.get_by_role("heading", name=re.compile("Fișa contului")).is_visible()
    visitor.shot("billing-statement")


def test_a_member_without_the_billing_right_does_not_see_the_section(visitor, member_a, invoices):
    visitor.goto("/cont/login/")
    log_in(visitor, member_a.email)
    visitor.check()
    assert not visitor.page.locator("nav#portal-nav").get_by_text("Facturi / Plăți").count()
    response = visitor.page.goto(visitor.base_url + "/facturi/")
    assert response.status == 403


def _signed_zip(xml: bytes, index: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{index}.xml", xml)
        archive.writestr(f"semnatura_{index}.xml", b"<Signature/>")
    return buffer.getvalue()


def test_the_accountant_downloads_the_efactura_files_and_an_archive(visitor, admin_a, invoices):
    """A client with the billing right: the XML and ANAF's signed ZIP beside the PDF, then one ZIP of the
    ticked invoices' PDFs and XMLs, prepared by a task."""
    late = invoices["late"]
    xml = services.invoice_xml_bytes(late)
    services.invoice_attach_originals(
        invoice=late,
        originals=services.Originals(
            zip=_signed_zip(xml, "4100004233"), upload_index="4100004233", status=AnafStatus.VALIDATED
        ),
    )
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto(f"/facturi/{late.public_id}/")
    assert page.get_by_text("4100004233").is_visible() and page.get_by_text("validată de ANAF").is_visible()
    visitor.shot("billing-invoice-efactura")
    with page.expect_download() as download:
        page.get_by_role("link", name="XML e-Factura").click()
    assert download.value.suggested_filename == "Factura-FRN-4233-e-Factura.xml"
    assert Path(download.value.path()).read_bytes() == xml
    with page.expect_download() as download:
        page.get_by_role("link", name="ZIP semnat ANAF").click()
    assert zipfile.ZipFile(download.value.path()).namelist() == ["4100004233.xml", "semnatura_4100004233.xml"]

    visitor.goto("/facturi/")
    page.get_by_label("Adaugă FRN 4233 în arhivă").check()
    page.get_by_label("Adaugă FRN 4240 în arhivă").check()
    visitor.shot("billing-archive-ticked")
    page.get_by_role("button", name="Pregătește arhiva ZIP").click()
    page.wait_for_url(re.compile("/facturi/arhiva/"))
    visitor.check()
    visitor.shot("billing-archive")
    with page.expect_download() as download:
        page.get_by_role("link", name="Descarcă arhiva ZIP").click()
    names = zipfile.ZipFile(download.value.path()).namelist()
    assert len(names) == 5 and "Factura-FRN-4233-semnat-ANAF.zip" in names  # 2 PDFs, 2 XMLs, 1 signed ZIP


def test_a_duplicate_announcement_is_refused_and_the_lists_export(visitor, admin_a, company_a, invoices):
    """The payment announced already (same invoice, amount and reference) is refused with a link to the first
    announcement; the invoice page lists it with who announced it; both lists offer their exports."""
    late = invoices["late"]
    first = services.notice_create(
        company=company_a,
        user=admin_a,
        paid_on=timezone.localdate() - timedelta(days=1),
        amount=late.balance,
        currency="RON",
        reference="OP 2026-118",
        proof=pdf_upload("ordin-plata.pdf", "Ordin de plata 118"),
        invoices=[late],
    )
    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)

    visitor.goto(f"/facturi/{late.public_id}/")
    pending = page.locator("table.billing-pending tbody tr")
    assert pending.count() == 1 and "OP 2026-118" in pending.first.inner_text()
    assert "Ana Popescu" in pending.first.inner_text()
    visitor.shot("billing-invoice-pending")

    page.get_by_role("link", name="Anunțați plata").click()
    visitor.check()
    page.get_by_label("Referința plății").fill("OP 2026-118")
    page.get_by_label("Dovada plății").set_input_files(
        {"name": "alt-scan.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Alt scan 118")}
    )
    page.get_by_role("button", name="Trimite anunțul de plată").click()
    page.wait_for_load_state("load")
    visitor.check()
    assert page.get_by_text("Ați anunțat deja această plată").is_visible()
    visitor.shot("billing-announce-duplicate")
    page.get_by_role("link", name="Vedeți anunțul existent (OP 2026-118)").click()
    page.wait_for_url(re.compile(f"/facturi/plati/anunturi/{first.public_id}/$"))
    visitor.check()
    assert page.get_by_role("heading", name="Plată anunțată OP 2026-118").is_visible()
    visitor.shot("billing-notice")
    assert PaymentNotice.objects.count() == 1

    visitor.goto("/facturi/?status=restanta")
    assert page.get_by_role("link", name="Export CSV").get_attribute("href") == "/facturi/export.csv?status=restanta"
    # An XLSX is built by a task (run eagerly here, after the request's commit): a page says it is being
    # prepared, then shows the file.
    page.get_by_role("link", name="Export XLSX").click()
    visitor.check()
    assert page.get_by_role("heading", name="Exportul se pregătește").is_visible()
    visitor.shot("billing-invoices-export-preparing")
    page.get_by_role("link", name="Verifică din nou").click()
    visitor.check()
    assert page.get_by_role("heading", name="Exportul este gata").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Descarcă XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [("FRN", 4233)]
    visitor.shot("billing-invoices-export")
    visitor.goto("/facturi/plati/")
    assert page.get_by_role("link", name="Export CSV").is_visible()
    assert page.get_by_role("link", name="Export XLSX").is_visible()
    visitor.shot("billing-payments-export")


def test_the_statement_pdf_is_prepared_then_downloaded_from_the_notification(visitor, admin_a, invoices):
    """Issue 20 H: the statement's PDF is built by a task (run eagerly here, after the request's commit): the
    request answers with a page saying it is being prepared, and the notification's link downloads it."""
    from django.urls import reverse

    from billing.models import StatementExport

    page = visitor.page
    visitor.goto("/cont/login/")
    log_in(visitor, admin_a.email)
    visitor.goto("/facturi/fisa-client/")
    page.get_by_role("link", name="PDF", exact=True).click()
    visitor.check()
    assert page.get_by_role("heading", name="Fișa client se pregătește").is_visible()
    assert page.get_by_role("status").get_by_text("primiți și o notificare").is_visible()
    visitor.shot("billing-statement-preparing")

    visitor.goto(reverse("portal:notifications"))
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"Fișa client .* \(RON, PDF\) este gata de descărcat")).click()
    assert re.fullmatch(r"Fisa-client-.*-RON\.pdf", info.value.suggested_filename)
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")

    export = StatementExport.objects.get()
    visitor.goto(reverse("billing:statement_export", args=[export.public_id]))
    assert page.get_by_role("heading", name="Fișa client este gata").is_visible()
    with page.expect_download() as again:
        page.get_by_role("link", name="Descarcă PDF").click()
    assert again.value.suggested_filename == info.value.suggested_filename
    visitor.shot("billing-statement-ready")
