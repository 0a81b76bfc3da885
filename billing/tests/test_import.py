"""The ERP import: CSV and JSON, idempotent, each invoice and payment saved whole or not at all."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing import importer
from billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from contracts.tests.factories import ContractFactory
from files.models import StoredFile
from portal.models import AuditEntry
from projects.tests.factories import ProjectFactory

D = Decimal
HEADER = ";".join(importer.CSV_COLUMNS)


def csv_row(**values) -> str:
    return ";".join(str(values.get(column, "")) for column in importer.CSV_COLUMNS)


@pytest.fixture
def erp_csv(company_a, tmp_path):
    ContractFactory(company=company_a, number="CTR-2025-014")
    cui = company_a.cui
    rows = [HEADER, *invoice_1024_rows(cui), invoice_1025_row(cui), credit_note_1030_row(cui), *op_4411_4412_rows(cui)]
    path = tmp_path / "erp.csv"
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


def invoice_1024_rows(cui: str) -> list[str]:
    """FRN 1024: two lines at two VAT rates, on a contract, amounts with Romanian separators."""
    return [
        csv_row(
            record="factura",
            cui=cui,
            series="FRN",
            number=1024,
            issue_date="2026-03-02",
            due_date="01.04.2026",
            currency="RON",
            contract="CTR-2025-014",
            code="CP-200",
            description="Pompă centrifugală CP-200",
            unit="buc",
            quantity="2",
            unit_price="1.500,00",
            vat_rate="21",
        ),
        csv_row(
            record="factura",
            cui=cui,
            series="FRN",
            number=1024,
            issue_date="2026-03-02",
            due_date="01.04.2026",
            currency="RON",
            contract="CTR-2025-014",
            code="MAN",
            description="Manual tehnic",
            unit="buc",
            quantity="1",
            unit_price="95,00",
            vat_rate="11",
        ),
    ]


def invoice_1025_row(cui: str) -> str:
    """FRN 1025: the client's CUI without "RO", a decimal-comma quantity."""
    return csv_row(
        record="factura",
        cui=cui.removeprefix("RO"),
        series="FRN",
        number=1025,
        issue_date="2026-03-05",
        due_date="2026-04-05",
        description="Consultanță",
        unit="oră",
        quantity="6,5",
        unit_price="280",
        vat_rate="21",
    )


def credit_note_1030_row(cui: str) -> str:
    """FRN 1030: a credit note taking one pump of FRN 1024 back."""
    return csv_row(
        record="factura",
        cui=cui,
        series="FRN",
        number=1030,
        kind="storno",
        reverses="FRN 1024",
        issue_date="2026-03-10",
        due_date="2026-03-10",
        description="Retur pompă",
        quantity="-1",
        unit_price="1500.00",
        vat_rate="21",
    )


def op_4411_4412_rows(cui: str) -> list[str]:
    """OP 4411 split between FRN 1024 and FRN 1025; OP 4412 by card, allocated to nothing."""
    return [
        csv_row(
            record="plata",
            cui=cui,
            reference="OP 4411",
            date="20.03.2026",
            amount="2000,00",
            currency="RON",
            method="transfer",
            allocations="FRN 1024=1920,45|FRN 1025=79,55",
        ),
        csv_row(record="plata", cui=cui, reference="OP 4412", date="2026-03-25", amount="500", method="card"),
    ]


def snapshot():
    return {
        "invoices": list(Invoice.objects.order_by("pk").values()),
        "lines": list(InvoiceLine.objects.order_by("pk").values()),
        "payments": list(Payment.objects.order_by("pk").values()),
        "allocations": list(PaymentAllocation.objects.order_by("pk").values()),
        "files": StoredFile.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_csv_import_creates_everything(company_a, erp_csv):
    report = importer.import_file(erp_csv)
    assert [(o.what, o.result) for o in report.outcomes] == [
        ("factura FRN 1024", "created"),
        ("factura FRN 1025", "created"),
        ("factura FRN 1030", "created"),
        ("plata OP 4411", "created"),
        ("plata OP 4412", "created"),
    ]
    first = Invoice.objects.get(series="FRN", number=1024)
    assert first.company == company_a and first.contract.number == "CTR-2025-014"
    assert (first.total_net, first.total_vat, first.total_gross) == (D("3095.00"), D("640.45"), D("3735.45"))
    assert first.credited == D("1815.00") and first.amount_paid == D("1920.45")
    assert first.status == Invoice.Status.PAID and first.issued_at is not None
    assert Invoice.objects.get(number=1030).status == Invoice.Status.CREDIT_NOTE
    second = Invoice.objects.get(number=1025)
    assert second.total_gross == D("2202.20") and second.status == Invoice.Status.PARTIALLY_PAID
    card = Payment.objects.get(reference="OP 4412")
    assert card.method == "card" and card.unallocated == D("500.00")


def test_running_the_same_file_twice_changes_nothing(company_a, erp_csv, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        importer.import_file(erp_csv)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = importer.import_file(erp_csv)
    assert {o.result for o in report.outcomes} == {"unchanged"}
    assert snapshot() == before and callbacks == []


def test_an_issued_invoice_changed_by_the_erp_is_refused_naming_what_changed(company_a, erp_csv):
    importer.import_file(erp_csv)
    before = Invoice.objects.get(number=1025)
    text = erp_csv.read_text(encoding="utf-8-sig").replace("Consultanță;oră;6,5", "Consultanță;oră;7")
    erp_csv.write_text(text.replace("2026-04-05", "2026-04-20"), encoding="utf-8")
    report = importer.import_file(erp_csv)
    [outcome] = [o for o in report.outcomes if o.what == "factura FRN 1025"]
    assert outcome.result == "rejected"
    assert "a fost emisă" in outcome.reason and "due_date, lines" in outcome.reason and "storno" in outcome.reason
    after = Invoice.objects.get(number=1025)
    assert (after.total_gross, after.due_date) == (before.total_gross, before.due_date)
    assert [o.result for o in report.outcomes if o.what == "factura FRN 1024"] == ["unchanged"]


def test_only_the_project_of_an_issued_invoice_may_change(company_a, erp_csv):
    importer.import_file(erp_csv)
    ProjectFactory(company=company_a, code="PRJ-2026-014")
    rows = erp_csv.read_text(encoding="utf-8-sig").splitlines()
    rows = [rows[0]] + [
        row.replace(";CTR-2025-014;;", ";CTR-2025-014;PRJ-2026-014;") for row in rows[1:] if ";1024;" in row
    ]
    erp_csv.write_text("\r\n".join(rows), encoding="utf-8")
    report = importer.import_file(erp_csv)
    assert [o.result for o in report.outcomes] == ["updated"]
    assert Invoice.objects.get(number=1024).project.code == "PRJ-2026-014"


@pytest.fixture
def rejected_rows_csv(company_a, tmp_path):
    """One good invoice, then invoices and payments each wrong in one way, and a record of an unknown kind."""
    cui = company_a.cui
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                one_line_invoice(cui, 1, description="Bun"),
                # second line of invoice 2 has a bad VAT rate: the whole invoice is rejected
                one_line_invoice(cui, 2, description="Linie bună"),
                one_line_invoice(cui, 2, description="Linie rea", vat_rate="19"),
                one_line_invoice("RO1", 3),
                one_line_invoice(cui, 4, issue_date="2026-05-02"),
                one_line_invoice(
                    cui,
                    5,
                    kind="storno",
                    reverses="FRN 1",
                    issue_date="2026-03-03",
                    due_date="2026-03-03",
                    quantity="-5",
                ),
                csv_row(
                    record="plata",
                    cui=cui,
                    reference="OP 1",
                    date="2026-03-20",
                    amount="100",
                    allocations="FRN 1=12,10|FRN 99=1",
                ),
                csv_row(
                    record="plata", cui=cui, reference="OP 2", date="2026-03-20", amount="5", allocations="FRN 1=12,10"
                ),
                csv_row(record="plata", cui=cui, reference="", date="2026-03-20", amount="5"),
                csv_row(record="chitanta", cui=cui),
            ]
        ),
        encoding="utf-8",
    )
    return path


def one_line_invoice(cui: str, number: int, **changes) -> str:
    """Invoice FRN ``number``: one line of 10 lei at 21% VAT, issued 2 March 2026, due 1 April 2026; ``changes``
    replace any of these."""
    return csv_row(
        **{
            "record": "factura",
            "cui": cui,
            "series": "FRN",
            "number": number,
            "issue_date": "2026-03-02",
            "due_date": "2026-04-01",
            "description": "X",
            "quantity": "1",
            "unit_price": "10",
            "vat_rate": "21",
            **changes,
        }
    )


def test_rejected_rows_save_nothing_and_say_why(company_a, company_b, rejected_rows_csv):
    report = importer.import_file(rejected_rows_csv)
    outcome = {o.what: (o.result, o.reason) for o in report.outcomes}
    assert outcome["factura FRN 1"][0] == "created"
    assert outcome["factura FRN 2"] == (
        "rejected",
        "linia 2: Cota de 19% nu era în vigoare la 02.03.2026 (cote în vigoare: 21%, 11%).",
    )
    assert "nu există în portal" in outcome["factura FRN 3"][1]
    assert "scadența este înaintea" in outcome["factura FRN 4"][1]
    assert "depășesc" in outcome["factura FRN 5"][1]
    assert "FRN 99 nu există" in outcome["plata OP 1"][1]
    assert "depășesc suma plății" in outcome["plata OP 2"][1]
    assert "nu are referință" in outcome["plata (rândul 10)"][1]
    assert "chitanta" in outcome["rândul 11"][1]
    assert list(Invoice.objects.values_list("number", flat=True)) == [1]
    assert InvoiceLine.objects.count() == 1 and not Payment.objects.exists()
    assert Invoice.objects.get(number=1).credited == 0


def test_json_import_matches_the_documented_example(company_a, tmp_path):
    data = {
        "invoices": [
            {
                "cui": company_a.cui,
                "series": "FRN",
                "number": 1024,
                "kind": "factura",
                "issue_date": "2026-03-02",
                "due_date": "2026-04-01",
                "currency": "RON",
                "lines": [
                    {
                        "code": "P-100",
                        "description": "Pompă centrifugală",
                        "unit": "buc",
                        "quantity": "2",
                        "unit_price": 1500.00,
                        "vat_rate": 21,
                    }
                ],
            },
            {
                "cui": company_a.cui,
                "series": "FRN",
                "number": 1030,
                "kind": "storno",
                "reverses": "FRN 1024",
                "issue_date": "2026-03-10",
                "due_date": "2026-03-10",
                "lines": [{"description": "Retur pompă", "quantity": "-1", "unit_price": "1500.00", "vat_rate": 21}],
            },
        ],
        "payments": [
            {
                "cui": company_a.cui,
                "reference": "OP 4411",
                "date": "2026-03-20",
                "amount": "1815.00",
                "currency": "RON",
                "method": "transfer",
                "allocations": [{"invoice": "FRN 1024", "amount": "1815.00"}],
            }
        ],
    }
    path = tmp_path / "erp.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = StringIO()
    call_command("import_billing", str(path), stdout=out, stderr=StringIO())
    assert "Facturi: 2 create, 0 actualizate, 0 neschimbate, 0 respinse." in out.getvalue()
    assert "Plăți: 1 create" in out.getvalue()
    assert Invoice.objects.get(number=1024).status == Invoice.Status.PAID
    out = StringIO()
    call_command("import_billing", str(path), stdout=out, stderr=StringIO())
    assert "Facturi: 0 create, 0 actualizate, 2 neschimbate" in out.getvalue()


def test_an_unreadable_file_is_a_command_error(tmp_path):
    path = tmp_path / "erp.xml"
    path.write_text("<x/>")
    with pytest.raises(CommandError, match=r"\.csv sau \.json"):
        call_command("import_billing", str(path))
    bad = tmp_path / "erp.csv"
    bad.write_text("a;b;c\n1;2;3\n")
    with pytest.raises(CommandError, match="antetul CSV"):
        call_command("import_billing", str(bad))


def test_an_invoice_of_another_company_is_not_taken_over(company_a, company_b, tmp_path):
    path = tmp_path / "erp.csv"
    rows = [HEADER] + [
        csv_row(
            record="factura",
            cui=company.cui,
            series="FRN",
            number=77,
            issue_date="2026-03-02",
            due_date="2026-04-01",
            description="X",
            quantity="1",
            unit_price="10",
            vat_rate="0",
            vat_category="Z",
        )
        for company in (company_a, company_b)
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    report = importer.import_file(path)
    assert [o.result for o in report.outcomes] == ["created"]  # same series+number: one invoice, one company
    rows[1] = rows[2]
    path.write_text("\n".join(rows[:2]), encoding="utf-8")
    report = importer.import_file(path)
    assert report.outcomes[0].result == "rejected" and "altă companie" in report.outcomes[0].reason
    assert Invoice.objects.get(number=77).company == company_a


def test_the_vat_rate_is_required_and_must_be_in_force_on_the_issue_date(company_a, tmp_path):
    """No default rate: a line without one is refused. 19 % is right for an invoice of 31 July 2025 and wrong
    for one of 1 August 2025 (Legea 141/2025)."""
    cui = company_a.cui
    path = tmp_path / "rates.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                one_line_invoice(cui, 1, vat_rate=""),
                one_line_invoice(cui, 2, vat_rate="19", issue_date="2025-07-31", due_date="2025-08-30"),
                one_line_invoice(cui, 3, vat_rate="19", issue_date="2025-08-01", due_date="2025-08-31"),
                one_line_invoice(cui, 4, vat_rate="21", issue_date="2025-07-31", due_date="2025-08-30"),
                one_line_invoice(cui, 5, vat_rate="0"),
                one_line_invoice(
                    cui, 8, vat_rate="19", issue_date="2025-08-03", due_date="2025-09-02", delivery_date="2025-07-31"
                ),
                one_line_invoice(cui, 6, vat_rate="0", vat_category="e"),
                one_line_invoice(
                    cui, 7, vat_rate="0", vat_category="E", vat_exemption_reason="Scutit conform art. 292 Codul fiscal"
                ),
            ]
        ),
        encoding="utf-8",
    )
    outcome = {o.what: (o.result, o.reason) for o in importer.import_file(path).outcomes}
    assert outcome["factura FRN 1"] == ("rejected", "linia 1: lipsește cota TVA (vat_rate)")
    assert outcome["factura FRN 2"][0] == "created"
    assert (
        outcome["factura FRN 3"][0] == "rejected"
        and "19% nu era în vigoare la 01.08.2025" in outcome["factura FRN 3"][1]
    )
    assert outcome["factura FRN 4"][0] == "rejected" and "cote în vigoare: 19%, 9%, 5%" in outcome["factura FRN 4"][1]
    assert outcome["factura FRN 5"] == (
        "rejected",
        "linia 1: o linie cu cota 0 are categoria TVA (vat_category: Z, E, AE, K sau O)",
    )
    assert outcome["factura FRN 6"][0] == "rejected" and "cere motivul scutirii" in outcome["factura FRN 6"][1]
    assert outcome["factura FRN 7"][0] == "created"
    assert outcome["factura FRN 8"][0] == "created"  # delivered in July: July's rates
    exempt = Invoice.objects.get(number=7).lines.get()
    assert (exempt.vat_category, exempt.vat_rate, exempt.vat_amount) == ("E", 0, 0)
    assert Invoice.objects.get(number=2).lines.get().vat_rate == 19
