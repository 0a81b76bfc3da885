"""The demo invoices: every kind the supplier issues, each with an e-Factura XML that ANAF's rules accept."""

import pytest
from django.urls import reverse

from accounts import demo as accounts_demo
from billing import demo, services
from billing.efactura.validation import validate
from billing.models import AnafStatus, Invoice, PaymentNotice
from contracts import demo as contracts_demo
from portal.vat import VatCategory
from projects import demo as projects_demo

pytestmark = pytest.mark.django_db


def test_every_demo_invoice_and_credit_note_has_a_valid_xml():
    data: dict = {}
    for module in (accounts_demo, contracts_demo, projects_demo, demo):
        module.seed(data)  # the PDF and XML tasks wait for a commit that never comes: the XML is built below
    documents = list(Invoice.objects.visible().select_related("anaf_xml"))
    kinds = {
        "storno": any(doc.is_credit_note for doc in documents),
        "EUR": any(doc.currency == "EUR" for doc in documents),
        "exempt 0 %": any(doc.lines.filter(vat_rate=0, vat_category=VatCategory.EXEMPT).exists() for doc in documents),
        "11 %": any(doc.lines.filter(vat_rate=11).exists() for doc in documents),
        "several rates": any(doc.lines.values("vat_rate").distinct().count() > 1 for doc in documents),
        "over 100 lines": any(doc.lines.count() > 100 for doc in documents),
    }
    assert all(kinds.values()), kinds
    failures, texts = {}, []
    for document in documents:
        xml = services.invoice_xml_bytes(document)
        texts.append(xml.decode())
        report = validate(xml)
        if not report.is_valid:
            failures[document.label] = report.problems()
    assert not failures
    assert any("ș" in text and "ț" in text for text in texts)  # diacritics, in UTF-8
    statuses = {doc.anaf_status for doc in documents}
    assert {AnafStatus.VALIDATED, AnafStatus.UPLOADED, ""} <= statuses


def test_the_demo_invoice_page_shows_the_payments_announced_for_it(client):
    data: dict = {}
    for module in (accounts_demo, contracts_demo, projects_demo, demo):
        module.seed(data)
    pending = PaymentNotice.objects.filter(status=PaymentNotice.Status.PENDING).select_related("announced_by")
    assert {notice.announced_by.email for notice in pending} == {
        "cristina.dobre@agroserv.ro",
        "ana.popescu@agroserv.ro",
    }
    invoice = pending[0].invoice_links.get().invoice
    assert invoice.is_open and {n.invoice_links.get().invoice for n in pending} == {invoice}
    client.force_login(data["users"]["cristina.dobre@agroserv.ro"])
    page = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert "Plăți anunțate, în verificare" in page and "Cristina Dobre" in page and "Ana Popescu" in page


def test_the_demo_statement_pdf_waits_in_cristinas_notifications(client):
    from billing.models import StatementExport
    from portal.models import Notification

    data: dict = {}
    for module in (accounts_demo, contracts_demo, projects_demo, demo):
        module.seed(data)
    cristina = data["users"]["cristina.dobre@agroserv.ro"]
    export = StatementExport.objects.get(requested_by=cristina)
    assert export.status == StatementExport.Status.READY and export.format == "pdf"
    notification = Notification.objects.get(user=cristina, kind="invoice.statement_ready")
    client.force_login(cristina)
    response = client.get(notification.url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    overdue = Notification.objects.get(user=cristina, kind="invoice.list_export_ready")
    response = client.get(overdue.url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")  # an XLSX
