"""Money written one way across the sections: each page that shows an amount writes it with its currency
once, in the reader's language ("1.210,00 lei" / "RON 1,210.00"), and no label repeats the currency; the
activity feed, the admin, an email and the CSV exports agree. File sizes read KB/MB, never Django's "KO/MO"."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from billing import services as billing_services
from billing.models import PaymentNotice
from billing.services.statement_exports import statement_csv_bytes
from billing.tests.factories import issued_invoice, record_payment
from contracts.tests.factories import ContractFactory
from files.tests.factories import DocumentFactory, pdf_upload
from portal.models import AuditEntry
from portal.money import format_file_size
from quotes.tests.factories import sent_offer

D = Decimal


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def invoice(company_a):
    return issued_invoice(
        company_a,
        series="FRN",
        number=4233,
        lines=[("10000.00", 21)],
        due_date=timezone.localdate() - timedelta(days=5),
    )


def test_the_invoice_list_writes_each_amount_once_with_its_currency(client, admin_a, invoice):
    client.force_login(admin_a)
    page = client.get(reverse("billing:invoice_list")).content.decode()
    assert page.count("12.100,00 lei") >= 3  # total, balance, and the "De plată" / "Restant" cards
    assert "(RON)" not in page and "lei RON" not in page and "12.100,00 RON" not in page
    assert 'data-total="outstanding-RON">12.100,00 lei<' in page


def test_the_invoice_page_in_english_puts_the_code_first(client, admin_a, invoice):
    client.force_login(admin_a)
    english(client)
    page = client.get(reverse("billing:invoice_detail", args=[invoice.public_id])).content.decode()
    assert 'data-total="balance">RON 12,100.00<' in page
    assert "12.100,00" not in page and " lei" not in page


def test_the_payments_page_and_an_announced_payment(client, admin_a, company_a, invoice):
    record_payment(company_a, "1500.00", invoices=[invoice], reference="OP 77")
    billing_services.notice_create(
        company=company_a,
        user=admin_a,
        paid_on=timezone.localdate(),
        amount=D("2000.00"),
        currency="RON",
        reference="OP 118",
        proof=pdf_upload("ordin.pdf", "OP 118"),
        invoices=[invoice],
    )
    client.force_login(admin_a)
    page = client.get(reverse("billing:payment_list")).content.decode()
    assert "1.500,00 lei" in page and "2.000,00 lei" in page
    assert "1.500,00 RON" not in page and "2.000,00 RON" not in page


def test_the_offer_list_and_page(client, admin_a, company_a):
    offer = sent_offer(company_a)  # 3 × 2.450,50 + 21 % VAT = 8.895,32
    client.force_login(admin_a)
    listing = client.get(reverse("quotes:offer_list")).content.decode()
    assert "8.895,32 lei" in listing and "8.895,32 RON" not in listing
    english(client)
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "RON 8,895.32" in page and "8,895.32 RON" not in page


def test_the_contract_list_and_page(client, admin_a, company_a):
    contract = ContractFactory(company=company_a, value=D("125000.00"), currency="EUR")
    client.force_login(admin_a)
    listing = client.get(reverse("contracts:list")).content.decode()
    assert "125.000,00 EUR" in listing
    page = client.get(reverse("contracts:detail", args=[contract.public_id])).content.decode()
    assert "125.000,00 EUR" in page and "125.000,00 EUR EUR" not in page


def test_the_dashboard_card_and_feed_say_the_amount_once(client, admin_a, company_a, invoice):
    billing_services.notice_create(
        company=company_a,
        user=admin_a,
        paid_on=timezone.localdate(),
        amount=D("7647.20"),
        currency="RON",
        reference="OP 118",
        proof=pdf_upload("ordin.pdf", "OP 118"),
        invoices=[invoice],
    )
    client.force_login(admin_a)
    page = client.get("/").content.decode()
    assert "De plată (RON)" not in page and "12.100,00 lei" in page
    assert "a anunțat o plată" in page and "7.647,20 lei" in page
    assert "7647.20" not in page


def test_the_migration_rewrites_the_raw_amounts_of_stored_names(company_a):
    migration = importlib.import_module("billing.migrations.0009_audit_reprs_formatted_money")
    old = AuditEntry.objects.create(
        action="payment_notice.created",
        company=company_a,
        object_type="billing.paymentnotice",
        object_repr="OP 118 · 03.12.2026 · 7647.20 RON",
    )
    untouched = AuditEntry.objects.create(
        action="invoice.issued", company=company_a, object_type="billing.invoice", object_repr="FRN 4233"
    )
    from django.apps import apps

    migration.format_stored_amounts(apps, None)
    old.refresh_from_db()
    untouched.refresh_from_db()
    assert old.object_repr == "OP 118 · 03.12.2026 · 7.647,20 lei"
    assert untouched.object_repr == "FRN 4233"


def test_the_admin_lists_show_formatted_money(client, staff, company_a, invoice):
    record_payment(company_a, "1500.00", invoices=[invoice], reference="OP 77")
    client.force_login(staff)
    invoices = client.get(reverse("admin:billing_invoice_changelist")).content.decode()
    assert "12.100,00 lei" in invoices and "10.600,00 lei" in invoices
    payments = client.get(reverse("admin:billing_payment_changelist")).content.decode()
    assert "1.500,00 lei" in payments
    notice_name = str(PaymentNotice(reference="OP 1", paid_on=timezone.localdate(), amount=D("7647.2"), currency="EUR"))
    assert notice_name.endswith(" · 7.647,20 EUR")


def test_an_email_in_the_recipients_language(company_a, admin_a, member_a, mailoutbox):
    from quotes.tasks import notify_offer_sent

    admin_a.language = "en"
    admin_a.save(update_fields=["language"])
    offer = sent_offer(company_a)
    mailoutbox.clear()
    notify_offer_sent(offer.pk)
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert "RON 8,895.32" in bodies[admin_a.email]
    assert "8.895,32 lei" in bodies[member_a.email]


def test_the_csv_exports_keep_one_convention_numbers_with_a_decimal_comma_and_a_currency_column(
    client, admin_a, company_a, invoice
):
    """Spreadsheets add amounts up: in every CSV they are numbers ("12100,00"), the currency in its own
    column, as the statement of account has them; never "12.100,00 lei" as text."""
    client.force_login(admin_a)
    english(client)  # documents are Romanian whatever the page language
    invoices = client.get(reverse("billing:invoice_export_csv")).content.decode("utf-8-sig")
    header, row = invoices.splitlines()[:2]
    assert "Moneda" in header.split(";")
    assert ";RON;10000,00;2100,00;12100,00;" in row and "lei" not in invoices
    today = timezone.localdate()
    statement = statement_csv_bytes(
        company=company_a, date_from=today - timedelta(days=60), date_to=today, currency="RON"
    ).decode("utf-8-sig")
    assert "Moneda;RON" in statement and ";12100,00" in statement and "lei" not in statement


def test_file_sizes_read_kb_and_mb(client, admin_a, company_a):
    document = DocumentFactory(company=company_a)
    client.force_login(admin_a)
    page = client.get(reverse("files:detail", args=[document.public_id])).content.decode()
    size = document.current_version.file.size
    with translation.override("ro"):
        assert f"PDF, {format_file_size(size)}" in page
    assert "KO<" not in page and " KO" not in page and "octeți" not in page
    with translation.override("ro"):
        from files.forms import upload_help

        assert "MB" in str(upload_help()) and "MO" not in str(upload_help())
