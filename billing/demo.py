"""Demo invoices and payments: a year of them for each demo company, through the services.

Monthly maintenance invoices and deliveries every other month (one EUR licence for the second
company, a 121-line restock of spare parts for the first); most paid on time, a payment covering
two invoices, one partially paid and overdue, a few overdue, one due in two days, one credit note
(a returned pump), an advance not yet allocated, a payment announced by the client, waiting for
staff, and what ANAF's e-Factura says of each document (validated with the signed ZIP, the latest
only uploaded, one not sent yet).

Idempotent: invoices are keyed by series + number (stable per company and month), payments by
reference; existing ones are left as they are.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from billing import selectors, services
from billing.models import AnafStatus, Invoice, InvoiceLine, Payment, PaymentNotice, StatementExport
from billing.services.statement_exports import statement_pdf_bytes
from files import services as files_services
from files.models import Document
from portal.money import format_money
from portal.pdf import render_pdf
from portal.vat import VatCategory

SERIES = "FRN"
MONTHS_RO = (
    "ianuarie",
    "februarie",
    "martie",
    "aprilie",
    "mai",
    "iunie",
    "iulie",
    "august",
    "septembrie",
    "octombrie",
    "noiembrie",
    "decembrie",
)


@dataclass
class Spec:
    key: int  # stable per company: the invoice number is derived from it
    issue: date
    due_days: int
    lines: list[tuple[str, str, str, str, str, int]]  # code, description, unit, qty, price, VAT
    currency: str = "RON"
    exchange_rate: Decimal | None = None  # BNR's rate of the issue day, for a foreign currency
    paid: str = "full"  # full, partial, none
    paid_after_days: int = 28
    project: bool = False
    contract: str = ""
    notes: str = ""
    credit_lines: list = field(default_factory=list)


def _month_start(today: date, months_ago: int) -> date:
    year, month = today.year, today.month - months_ago
    while month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1)


# A demo line at 0 % is vocational training, exempt from VAT with this reason.
TRAINING_EXEMPTION = "Scutit de TVA conform art. 292 alin. (2) lit. a) pct. 5 din Codul fiscal"


def _vat(rate: int) -> dict:
    if rate:
        return {"vat_rate": rate, "vat_category": VatCategory.STANDARD}
    return {"vat_rate": 0, "vat_category": VatCategory.EXEMPT, "vat_exemption_reason": TRAINING_EXEMPTION}


def _specs(index: int, today: date) -> list[Spec]:
    fee, extra_rate = (Decimal("4500.00"), "280.00") if index == 0 else (Decimal("3200.00"), "265.00")
    maintenance_contract = "CTR-2026-003" if index == 0 else "TP-2026-003"
    supply_contract = "CTR-2025-014" if index == 0 else "TP-2025-014"
    specs = []
    for months_ago in range(11, -1, -1):
        start = _month_start(today, months_ago)
        issue = min(start + timedelta(days=2), today)
        lines = [
            (
                "SRV-MNT",
                f"Abonament mentenanță și suport ERP — {MONTHS_RO[start.month - 1]} {start.year}",
                "lună",
                "1",
                str(fee),
                21,
            )
        ]
        if months_ago % 3 == 1:
            lines.append(("SRV-CONS", "Ore de consultanță peste abonament", "oră", "6.5", extra_rate, 21))
        paid = "full" if months_ago >= 2 else "none"
        specs.append(
            Spec(
                key=months_ago * 2,
                issue=issue,
                due_days=14,
                lines=lines,
                paid=paid,
                paid_after_days=11 + months_ago % 4,
                contract=maintenance_contract,
            )
        )
        if months_ago % 2 == 0 or months_ago == 1:
            delivery = today - timedelta(days=28) if months_ago == 1 else start + timedelta(days=14)
            if index == 0:
                goods = [
                    ("CP-200", "Pompă centrifugală CP-200, 7,5 kW", "buc", "2", "7850.00", 21),
                    ("GS-10", "Set garnituri și etanșări pompă", "set", "10", "48.50", 21),
                    ("MAN-CP", "Manual tehnic tipărit", "buc", "2", "95.00", 11),
                    ("TR-01", "Transport și manipulare", "serviciu", "1", "650.00", 21),
                    ("INSTR", "Curs autorizat de instruire a operatorilor pompei", "oră", "4", "150.00", 0),
                ]
            else:
                goods = [
                    ("PP-H350", "Granule polipropilenă homopolimer H350", "kg", "1250", "8.74", 21),
                    ("FL-MB", "Masterbatch alb 60%", "kg", "75", "19.30", 21),
                    ("TR-01", "Transport și manipulare", "serviciu", "1", "480.00", 21),
                ]
            specs.append(
                Spec(
                    key=months_ago * 2 + 1,
                    issue=min(delivery, today),
                    due_days=30,
                    lines=goods,
                    paid="full",
                    paid_after_days=30,
                    project=months_ago in (6, 4),
                    contract=supply_contract,
                )
            )
    by_key = {spec.key: spec for spec in specs}
    # Recent ones not due or not paid yet; one partially paid and overdue; one long overdue (company 2).
    by_key[3].paid = "none"  # delivered 28 days ago, due in 2 days
    by_key[8].paid, by_key[8].paid_after_days = "partial", 20
    if index == 1:
        by_key[10].paid = "none"
    # A returned pump / part of a delivery: credit note, the rest paid.
    returned = by_key[9] if 9 in by_key else by_key[5]
    returned.credit_lines = [
        (code, f"Retur: {desc}", unit, "-1" if index == 0 else "-250", price, vat)
        for code, desc, unit, _qty, price, vat in returned.lines[:1]
    ]
    if index == 1:
        year_start = _month_start(today, 10)
        specs.append(
            Spec(
                key=40,
                issue=year_start + timedelta(days=5),
                due_days=15,
                currency="EUR",
                exchange_rate=Decimal("4.9771"),
                lines=[("LIC-PLAN", "Licență anuală software planificare producție", "an", "1", "12000.00", 21)],
                contract="TP-2023-021",
                paid_after_days=12,
            )
        )
    if index == 0:
        specs.append(_spare_parts(_month_start(today, 7) + timedelta(days=19)))
    return sorted(specs, key=lambda spec: (spec.issue, spec.key))


SPARE_PARTS = (
    ("RUL", "Rulment radial", "buc", "68.40"),
    ("GAR", "Garnitură mecanică", "buc", "112.00"),
    ("FIL", "Filtru de sită inox", "buc", "54.90"),
    ("SUR", "Șurub inox M10 × 40", "buc", "1.85"),
    ("ULI", "Ulei hidraulic ISO VG 46", "l", "23.60"),
    ("CUP", "Cuplaj elastic", "buc", "186.00"),
    ("FRT", 'Furtun presiune 1"', "m", "41.30"),
    ("BRD", "Bridă oțel zincat", "buc", "17.45"),
)


def _spare_parts(issue: date) -> Spec:
    """The yearly restock of spare parts: 120 lines (e-Factura's XML and the PDF with many lines), the
    printed catalogue at the reduced rate."""
    lines = []
    for position in range(120):
        code, name, unit, price = SPARE_PARTS[position % len(SPARE_PARTS)]
        size = 10 + position // len(SPARE_PARTS)
        lines.append((f"{code}-{size:03d}", f"{name}, mărimea {size}", unit, str(2 + position % 7), price, 21))
    lines.append(("CAT-2026", "Catalog tehnic piese de schimb, ediția 2026", "buc", "1", "85.00", 11))
    return Spec(
        key=42,
        issue=issue,
        due_days=45,
        lines=lines,
        paid_after_days=40,
        contract="CTR-2025-014",
        notes="Reaprovizionare anuală piese de schimb, conform listei agreate la inventar.",
    )


def _invoice(company, spec: Spec, number: int, project, contracts) -> Invoice:
    existing = Invoice.objects.filter(series=SERIES, number=number).first()
    if existing is not None:
        return existing
    invoice = Invoice.objects.create(
        company=company,
        series=SERIES,
        number=number,
        issue_date=spec.issue,
        due_date=spec.issue + timedelta(days=spec.due_days),
        currency=spec.currency,
        exchange_rate=spec.exchange_rate,
        contract=contracts.get(spec.contract),
        project=project if spec.project else None,
        notes=spec.notes,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                company=company,
                invoice=invoice,
                position=position,
                product_code=code,
                description=desc,
                unit=unit,
                quantity=Decimal(qty),
                unit_price=Decimal(price),
                **_vat(vat),
            )
            for position, (code, desc, unit, qty, price, vat) in enumerate(spec.lines, start=1)
        ]
    )
    return services.invoice_issue(invoice=invoice)


def _credit_note(company, original: Invoice, spec: Spec, number: int, issue: date) -> None:
    if Invoice.objects.filter(series=SERIES, number=number).exists():
        return
    note = Invoice.objects.create(
        company=company,
        kind=Invoice.Kind.CREDIT_NOTE,
        reverses=original,
        series=SERIES,
        number=number,
        issue_date=issue,
        due_date=issue,
        currency=original.currency,
        exchange_rate=original.exchange_rate,
        contract=original.contract,
        notes="Retur marfă neconformă, conform PV de retur.",
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                company=company,
                invoice=note,
                position=position,
                product_code=code,
                description=desc,
                unit=unit,
                quantity=Decimal(qty),
                unit_price=Decimal(price),
                **_vat(vat),
            )
            for position, (code, desc, unit, qty, price, vat) in enumerate(spec.credit_lines, start=1)
        ]
    )
    services.invoice_issue(invoice=note)


def _pay(
    company,
    invoices: list[Invoice],
    paid_on: date,
    reference: str,
    amount: Decimal | None = None,
    method: str = Payment.Method.TRANSFER,
) -> None:
    if Payment.objects.filter(company=company, reference=reference).exists():
        return
    for invoice in invoices:
        invoice.refresh_from_db()
    amount = amount if amount is not None else sum((invoice.balance for invoice in invoices), Decimal("0"))
    if amount > 0:
        services.payment_record(
            company=company,
            paid_on=paid_on,
            amount=amount,
            currency=invoices[0].currency,
            method=method,
            reference=reference,
            invoices=invoices,
        )


def _proof(reference: str) -> SimpleUploadedFile:
    content = render_pdf(
        "pdf/demo_document.html",
        {
            "title": f"Ordin de plată {reference}",
            "supplier_name": "Banca Transilvania — extras",
            "paragraphs": ["Plătitor: Agroserv Tehnic SRL", f"Referință: {reference}", "Document demonstrativ."],
        },
    )
    return SimpleUploadedFile(f"ordin-plata-{reference.replace(' ', '-')}.pdf", content, "application/pdf")


def seed(demo: dict) -> None:
    today = timezone.localdate()
    for index, company in enumerate(demo["companies"]):
        project = company.projects.order_by("planned_start").first()
        contracts = {contract.number: contract for contract in company.contracts.all()}
        specs = _specs(index, today)
        # Numbers follow the issue dates (the two companies alternate in the supplier's one series).
        documents = sorted(
            [(spec.issue, 0, spec) for spec in specs]
            + [(min(spec.issue + timedelta(days=9), today), 1, spec) for spec in specs if spec.credit_lines],
            key=lambda doc: (doc[0], doc[1], doc[2].key),
        )
        issued: dict[int, Invoice] = {}
        for position, (issue, is_credit_note, spec) in enumerate(documents):
            number = 4201 + position * 2 + index
            if is_credit_note:
                _credit_note(company, issued[spec.key], spec, number, issue)
            else:
                issued[spec.key] = _invoice(company, spec, number, project, contracts)
        # Payments, in date order; half a year ago one transfer paid a delivery and that month's fee.
        combined = {13: 12}  # delivery key → fee key paid with it
        pending: list[tuple[date, list[Invoice], str]] = []
        for spec in specs:
            if spec.key in combined.values():
                continue
            invoice = issued[spec.key]
            paid_on = invoice.issue_date + timedelta(days=spec.paid_after_days)
            if spec.paid == "none" or paid_on > today:
                continue
            reference = f"OP {company.cui[-4:]}-{invoice.number}"
            if spec.paid == "partial":
                _pay(company, [invoice], paid_on, reference, amount=(invoice.total_gross / 2).quantize(Decimal("1")))
                continue
            together = [issued[combined[spec.key]]] if spec.key in combined else []
            pending.append((paid_on, [*together, invoice], reference))
        for paid_on, invoices, reference in sorted(pending, key=lambda item: item[0]):
            method = Payment.Method.CARD if invoices[0].total_gross < 1000 else Payment.Method.TRANSFER
            _pay(company, invoices, paid_on, reference, method=method)
        # An advance for an order not invoiced yet: the client's credit (allocated to nothing).
        reference = f"AVANS {company.cui[-4:]}-{today.year}"
        if not Payment.objects.filter(company=company, reference=reference).exists():
            services.payment_record(
                company=company,
                paid_on=today - timedelta(days=6),
                currency="RON",
                amount=Decimal("5000.00") if index == 0 else Decimal("2500.00"),
                method=Payment.Method.TRANSFER,
                reference=reference,
                notes="Avans comandă pompe de rezervă",
            )
        if index == 0:
            _announce(company, demo, issued[2], today)
            _statement_export(company, demo, today)
        _efactura(company, index)
        _statement_document(company, demo, today)


def last_quarter(today: date) -> tuple[date, date]:
    """The last quarter that has ended: the period of the demo's "Situație de plăți"."""
    this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_day = this_quarter - timedelta(days=1)
    return date(last_day.year, last_day.month - 2, 1), last_day


def statement_document_title(date_from: date) -> str:
    quarter = ("I", "II", "III", "IV")[(date_from.month - 1) // 3]
    return f"Situație de plăți trimestrul {quarter} {date_from.year}"


def _statement_document(company, demo: dict, today: date) -> None:
    """The quarter's payment statement shared in Fișiere (financial: billing right only): the statement of
    account rendered from the company's own demo invoices and payments, so it agrees with Facturi."""
    date_from, date_to = last_quarter(today)
    title = statement_document_title(date_from)
    if Document.objects.filter(company=company, title=title).exists():
        return
    result = selectors.statement(company=company, date_from=date_from, date_to=date_to, currency="RON")
    invoices = sum(1 for movement in result.movements if movement.kind == "invoice")
    content = statement_pdf_bytes(company=company, date_from=date_from, date_to=date_to, currency="RON")
    with translation.override("ro"):
        balance = format_money(result.closing, "RON")
    files_services.document_create(
        company=company,
        title=title,
        category=Document.Category.FINANCIAL,
        description=(
            f"Fișa clientului {MONTHS_RO[date_from.month - 1]}–{MONTHS_RO[date_to.month - 1]} {date_to.year}: "
            f"facturi emise {invoices}, încasări și sold la {date_to:%d.%m.%Y}: {balance}."
        ),
        uploaded=SimpleUploadedFile(f"Situatie plati T{(date_from.month + 2) // 3} {date_from.year}.pdf", content),
        user=demo["staff"],
    )


def _statement_export(company, demo: dict, today: date) -> None:
    """Cristina (billing) asked for this year's statement as a PDF and the overdue invoices as XLSX: built by
    the tasks, kept a week, announced by notifications whose links download them."""
    user = demo["users"].get("cristina.dobre@agroserv.ro")
    # Once: a second seed moves the company's data stamp, which would make each export again.
    if user is None or StatementExport.objects.filter(requested_by=user).exists():
        return
    export = services.statement_export_request(
        company=company, user=user, date_from=today.replace(month=1, day=1), date_to=today, currency="RON", fmt="pdf"
    )
    services.statement_export_build(export_id=export.pk)
    # And the overdue invoices as XLSX for the accountant (billing/services/list_exports.py).
    overdue = services.list_export_request(
        company=company, user=user, kind="invoice", fmt="xlsx", filters={"status": "restanta"}
    )
    services.list_export_build(export_id=overdue.pk)


def _announce(company, demo: dict, invoice: Invoice, today: date) -> None:
    """Cristina (billing) announced she paid the overdue fee; Ana, not knowing, announced the same transfer
    with the bank statement's reference and her own scan. Both wait on the invoice page; staff confirming
    one closes the other (billing.services.notices)."""
    invoice.refresh_from_db()
    if not invoice.is_open:
        return
    cristina = f"OP {company.cui[-4:]}-{invoice.number}-B"
    announcements = [
        ("cristina.dobre@agroserv.ro", cristina, 1, "Plata a plecat ieri din contul BT."),
        ("ana.popescu@agroserv.ro", f"BT-EXTRAS-{invoice.number}", 0, "Am plătit abonamentul, vă rog confirmați."),
    ]
    for email, reference, days_ago, message in announcements:
        user = demo["users"].get(email)
        if user is None or PaymentNotice.objects.filter(company=company, reference=reference).exists():
            continue
        services.notice_create(
            company=company,
            user=user,
            paid_on=today - timedelta(days=1),
            amount=invoice.balance,
            currency=invoice.currency,
            reference=reference,
            proof=_proof(reference),
            invoices=[invoice],
            message=message,
        )
        PaymentNotice.objects.filter(company=company, reference=reference).update(
            created_at=timezone.now() - timedelta(days=days_ago, hours=3)
        )


def _signed_zip(xml: bytes, upload_index: str) -> bytes:
    """What ANAF's SPV hands out: the invoice XML and ANAF's signature beside it (a stand-in here)."""
    signature = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'
        f"<!-- Semnătură demonstrativă pentru indexul {upload_index}: nu este emisă de ANAF. -->"
        "</Signature>\n"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # A fixed timestamp: the same ZIP byte for byte on every run (a kept original never changes).
        for name, content in ((f"{upload_index}.xml", xml), (f"semnatura_{upload_index}.xml", signature)):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def _efactura(company, index: int) -> None:
    """What the ERP reported from ANAF: validated with the signed ZIP for all but the last two documents; the
    latest only uploaded (ANAF still checking it), the one before not sent yet (the client gets the portal's
    XML, labelled as such)."""
    documents = list(Invoice.objects.filter(company=company).visible().order_by("issue_date", "number"))
    for position, invoice in enumerate(documents):
        upload_index = str(4_100_000_000 + invoice.number)
        if position == len(documents) - 2:
            continue
        if position == len(documents) - 1:
            originals = services.Originals(upload_index=upload_index, status=AnafStatus.UPLOADED)
        else:
            xml = services.invoice_xml_bytes(invoice)
            originals = services.Originals(
                xml=xml,
                zip=_signed_zip(xml, upload_index),
                upload_index=upload_index,
                download_id=str(3_200_000_000 + invoice.number),
                status=AnafStatus.VALIDATED,
            )
        services.invoice_attach_originals(invoice=invoice, originals=originals)
