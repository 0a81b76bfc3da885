"""The ERP's e-Factura originals (intake checked with ANAF's rules, never changed once kept), what the client
downloads, and the accountant's archive of PDFs and XMLs."""

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from billing import importer, services
from billing.models import AnafStatus, Invoice, InvoiceArchive
from billing.tests.factories import issued_invoice
from files.validation import validate_upload
from portal.models import Notification

pytestmark = pytest.mark.django_db


def signed_zip(xml: bytes, index: str = "4100001234", *, signature: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{index}.xml", xml)
        if signature:
            archive.writestr(f"semnatura_{index}.xml", b"<Signature/>")
    return buffer.getvalue()


def attach(invoice: Invoice, **values) -> bool:
    return services.invoice_attach_originals(invoice=invoice, originals=services.Originals(**values))


# --- intake ---------------------------------------------------------------------------------------


def test_the_signed_zip_is_kept_with_its_xml_as_the_original(company_a):
    invoice = issued_invoice(company_a)
    xml = services.invoice_xml_bytes(invoice)
    content = signed_zip(xml)
    assert attach(invoice, zip=content, upload_index="4100001234", status=AnafStatus.VALIDATED)
    invoice.refresh_from_db()
    assert invoice.anaf_xml.file.open("rb").read() == xml
    assert (invoice.anaf_status, invoice.anaf_upload_index) == ("validated", "4100001234")
    assert not attach(invoice, zip=content, upload_index="4100001234")  # the same again: nothing changes


def test_an_xml_that_breaks_anafs_rules_is_refused_with_the_rule_ids(company_a):
    invoice = issued_invoice(company_a)
    broken = services.invoice_xml_bytes(invoice).replace(b"<cbc:PayableAmount", b"<cbc:PayableAmountX", 1)
    broken = broken.replace(b"</cbc:PayableAmount>", b"</cbc:PayableAmountX>", 1)
    with pytest.raises(ValidationError) as error:
        attach(invoice, xml=broken)
    assert "XSD" in error.value.messages[0]
    wrong_total = services.invoice_xml_bytes(invoice).replace(b"<cbc:TaxExclusiveAmount", b"<cbc:Note", 0)
    wrong_total = wrong_total.replace(b">1210.00</cbc:PayableAmount>", b">1200.00</cbc:PayableAmount>")
    with pytest.raises(ValidationError) as error:
        attach(invoice, xml=wrong_total)
    assert "BR-CO-16" in error.value.messages[0]
    assert Invoice.objects.get(pk=invoice.pk).anaf_xml is None


def test_another_invoices_xml_is_refused(company_a):
    invoice, other = issued_invoice(company_a), issued_invoice(company_a, lines=(("500.00", 21),))
    with pytest.raises(ValidationError) as error:
        attach(invoice, xml=services.invoice_xml_bytes(other))
    assert other.label in error.value.messages[0] and "1210.00" in error.value.messages[0]


def test_originals_never_change_once_kept(company_a):
    invoice = issued_invoice(company_a, notes="Prima variantă")
    first = services.invoice_xml_bytes(invoice)
    attach(invoice, xml=first, upload_index="4100001234", status=AnafStatus.UPLOADED)
    Invoice.objects.filter(pk=invoice.pk).update(notes="A doua variantă", supplier_data={})
    second = services.invoice_xml_bytes(invoice)
    assert second != first
    with pytest.raises(services.OriginalConflict):
        attach(invoice, xml=second)
    with pytest.raises(services.OriginalConflict):
        attach(invoice, upload_index="4100009999")
    assert attach(invoice, status=AnafStatus.VALIDATED)
    with pytest.raises(services.OriginalConflict):
        attach(invoice, status=AnafStatus.REJECTED, message="E-mail")


def test_a_zip_without_anafs_signature_or_not_a_zip_is_refused(company_a):
    invoice = issued_invoice(company_a)
    xml = services.invoice_xml_bytes(invoice)
    with pytest.raises(ValidationError, match="semnatura_"):
        attach(invoice, zip=signed_zip(xml, signature=False))
    with pytest.raises(ValidationError, match="ZIP"):
        attach(invoice, zip=b"not a zip at all")


def test_status_rules(company_a):
    invoice = issued_invoice(company_a)
    with pytest.raises(ValidationError, match="mesajul ANAF"):
        attach(invoice, upload_index="4100001234", status=AnafStatus.REJECTED)
    with pytest.raises(ValidationError, match="indexul de încărcare"):
        attach(invoice, status=AnafStatus.UPLOADED)
    with pytest.raises(ValidationError, match="nu există"):
        attach(invoice, upload_index="4100001234", status="trimisa")
    assert attach(invoice, upload_index="4100001234", status=AnafStatus.REJECTED, message="Cod fiscal invalid")


def test_the_import_reads_originals_from_the_files_folder_and_refuses_bad_ones(company_a, tmp_path):
    invoice = issued_invoice(company_a, series="FRN", number=77)
    (tmp_path / "FRN77.xml").write_bytes(services.invoice_xml_bytes(invoice))
    (tmp_path / "rupt.xml").write_bytes(b"<Invoice/>")
    header = ";".join(importer.CSV_COLUMNS)

    def row(xml_name: str) -> str:
        values = {
            "record": "factura",
            "cui": company_a.cui,
            "series": "FRN",
            "number": "77",
            "issue_date": invoice.issue_date.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "description": "Pompă centrifugală CP-200",
            "unit": "buc",
            "quantity": "1",
            "unit_price": "1000.00",
            "vat_rate": "21",
            "anaf_upload_index": "4100000077",
            "anaf_status": "validated",
            "anaf_xml": xml_name,
        }
        return ";".join(values.get(column, "") for column in importer.CSV_COLUMNS)

    for name, expected in (("rupt.xml", "XSD"), ("../secret.xml", "nu există"), ("FRN77.xml", None)):
        path = tmp_path / "erp.csv"
        path.write_text(f"{header}\n{row(name)}\n", encoding="utf-8")
        [outcome] = importer.import_file(path).outcomes
        if expected:
            assert outcome.result == "rejected" and expected in outcome.reason, outcome
        else:
            assert outcome.result == "updated", outcome
    invoice.refresh_from_db()
    assert invoice.anaf_xml is not None and invoice.anaf_status == "validated"


# --- the client's downloads -----------------------------------------------------------------------


def test_the_page_offers_the_xml_and_the_signed_zip_with_the_status(client, admin_a, company_a):
    invoice = issued_invoice(company_a)
    client.force_login(admin_a)
    page = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert "XML e-Factura" in page and "ZIP semnat ANAF" not in page and "Generat de portal" in page
    xml = services.invoice_xml_bytes(invoice)
    attach(invoice, zip=signed_zip(xml), upload_index="4100001234", status=AnafStatus.VALIDATED)
    page = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert "ZIP semnat ANAF" in page and "4100001234" in page and "validată de ANAF" in page


def test_the_xml_download_is_the_original_when_there_is_one(client, admin_a, company_a):
    invoice = issued_invoice(company_a)
    client.force_login(admin_a)
    url = reverse("billing:invoice_xml", args=[invoice.public_id])
    response = client.get(url)
    assert response["Content-Type"] == "application/xml" and "generata-de-portal" in response["Content-Disposition"]
    own = b"".join(response.streaming_content)
    attach(invoice, zip=signed_zip(own), upload_index="4100001234", status=AnafStatus.VALIDATED)
    response = client.get(url)
    assert "generata" not in response["Content-Disposition"] and b"".join(response.streaming_content) == own
    response = client.get(reverse("billing:invoice_signed_zip", args=[invoice.public_id]))
    assert response["Content-Type"] == "application/zip"


def test_no_signed_zip_is_a_404(client, admin_a, company_a):
    client.force_login(admin_a)
    invoice = issued_invoice(company_a)
    assert client.get(reverse("billing:invoice_signed_zip", args=[invoice.public_id])).status_code == 404


# --- the accountant's archive ---------------------------------------------------------------------


def test_an_archive_of_the_ticked_invoices_is_built_by_a_task_and_announced(
    client, admin_a, company_a, company_b, django_capture_on_commit_callbacks
):
    mine = [issued_invoice(company_a), issued_invoice(company_a, lines=(("200.00", 11),))]
    theirs = issued_invoice(company_b)
    client.force_login(admin_a)
    ticked = [str(invoice.public_id) for invoice in [*mine, theirs]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:archive_create"), {"invoices": ticked})
    archive = InvoiceArchive.objects.get()
    assert response["Location"] == reverse("billing:archive_detail", args=[archive.public_id])
    assert archive.status == "ready" and sorted(archive.invoice_ids) == sorted(i.pk for i in mine)
    notification = Notification.objects.get(user=admin_a, kind="invoice.archive_ready")
    assert "2 facturi" in notification.title
    download = client.get(reverse("billing:archive_download", args=[archive.public_id]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len(names) == 4 and sum(name.endswith(".pdf") for name in names) == 2
    assert sum(name.endswith(".xml") for name in names) == 2


def test_an_archive_of_a_period(client, admin_a, company_a, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    issued_invoice(company_a, issue_date=today - timedelta(days=40))
    recent = issued_invoice(company_a, issue_date=today - timedelta(days=5))
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("billing:archive_create"),
            {"date_from": (today - timedelta(days=10)).isoformat(), "date_to": today.isoformat()},
        )
    archive = InvoiceArchive.objects.get()
    assert archive.invoice_ids == [recent.pk] and archive.status == "pending"
    page = client.get(reverse("billing:archive_detail", args=[archive.public_id])).content.decode()
    assert "se pregătește" in page
    assert client.get(reverse("billing:archive_download", args=[archive.public_id])).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Bifați facturile dorite sau alegeți perioada"),
        ({"date_from": "2025-01-01", "date_to": "2026-06-30"}, "cel mult un an"),
        ({"date_from": "2020-01-01", "date_to": "2020-02-01"}, "Nicio factură"),
        ({"invoices": ["nu-este-un-id"]}, "reîncărcați pagina"),
    ],
)
def test_a_bad_archive_request_is_refused_on_the_list(client, admin_a, company_a, data, message):
    issued_invoice(company_a)
    client.force_login(admin_a)
    response = client.post(reverse("billing:archive_create"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not InvoiceArchive.objects.exists()


def test_the_archive_pages_run_a_fixed_number_of_queries(
    client, admin_a, company_a, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    invoices = [issued_invoice(company_a, lines=(("10.00", 21),)) for _ in range(12)]
    archive = InvoiceArchive.objects.create(
        company=company_a, requested_by=admin_a, invoice_ids=[invoice.pk for invoice in invoices]
    )
    client.force_login(admin_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("billing:archive_detail", args=[archive.public_id])).status_code == 200


def test_staff_attach_originals_in_the_admin(client, staff, company_a):
    invoice = issued_invoice(company_a)
    client.force_login(staff)
    url = reverse("admin:billing_invoice_efactura", args=[invoice.pk])
    bad = io.BytesIO(b"<Invoice/>")
    bad.name = "factura.xml"
    response = client.post(url, {"xml": bad, "upload_index": "4100001234", "status": "uploaded"})
    assert response.status_code == 400 and "XSD" in response.content.decode()
    good = io.BytesIO(services.invoice_xml_bytes(invoice))
    good.name = "factura.xml"
    response = client.post(url, {"xml": good, "upload_index": "4100001234", "status": "uploaded"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.anaf_xml is not None and invoice.anaf_status == "uploaded"


def test_a_eur_invoice_says_its_vat_in_lei(client, admin_a, company_a):
    invoice = issued_invoice(company_a, currency="EUR", exchange_rate=Decimal("4.9771"))
    client.force_login(admin_a)
    page = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert "1.045,19" in page and "4,9771" in page


def test_taking_originals_does_not_widen_what_clients_may_upload(company_a):
    """The ERP's XML comes through the import, the API and the admin form, never as a client's upload."""
    xml = services.invoice_xml_bytes(issued_invoice(company_a))
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("factura.xml", xml, "application/xml"))
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("factura.pdf", xml, "application/pdf"))


def test_an_archive_that_fails_says_so_and_is_built_on_the_next_run(company_a, admin_a, monkeypatch):
    invoice = issued_invoice(company_a)
    archive = services.archive_request(
        company=company_a, user=admin_a, public_ids=[str(invoice.public_id)], date_from=None, date_to=None
    )

    def broken(_invoices):
        raise OSError("storage unavailable")

    monkeypatch.setattr("billing.services.archives._zip_bytes", broken)
    with pytest.raises(OSError):
        services.archive_build(archive_id=archive.pk)
    assert InvoiceArchive.objects.get(pk=archive.pk).status == "failed"
    monkeypatch.undo()
    assert services.archive_build(archive_id=archive.pk).status == "ready"
