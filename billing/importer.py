"""Import invoices and payments exported by the ERP: ``manage.py import_billing <file.csv|file.json>``.

Idempotent: an invoice is recognised by series + number, a payment by its company and reference.
Running the same file twice changes nothing the second time ("neschimbate"). Each invoice (with all
its lines) and each payment is saved in its own savepoint: a rejected one saves nothing and the
report says why; the others are saved. Invoices are imported before credit notes, then payments.

JSON (UTF-8)::

    {"invoices": [
       {"cui": "RO42158732", "series": "FRN", "number": 1024, "kind": "factura",
        "issue_date": "2026-03-02", "due_date": "2026-04-01", "currency": "RON",
        "contract": "CTR-2025-014", "project": "PRJ-2026-014", "notes": "",
        "lines": [{"code": "P-100", "description": "Pompă centrifugală", "unit": "buc",
                   "quantity": "2", "unit_price": "1500.00", "vat_rate": 21}]},
       {"cui": "RO42158732", "series": "FRN", "number": 1030, "kind": "storno", "reverses": "FRN 1024",
        "issue_date": "2026-03-10", "due_date": "2026-03-10", "currency": "RON",
        "lines": [{"description": "Retur pompă", "quantity": "-1", "unit_price": "1500.00", "vat_rate": 21}]}],
     "payments": [
       {"cui": "RO42158732", "reference": "OP 4411", "date": "2026-03-20", "amount": "1815.00",
        "currency": "RON", "method": "transfer", "allocations": [{"invoice": "FRN 1024", "amount": "1815.00"}]}]}

CSV (UTF-8, with or without BOM; ``;`` or ``,`` between fields, detected from the header), one
header row, then one row per invoice line (``record`` = ``factura``) or per payment (``plata``)::

    record;cui;series;number;kind;reverses;issue_date;due_date;currency;contract;project;notes;code;description;unit;quantity;unit_price;vat_rate;reference;date;amount;method;allocations
    factura;RO42158732;FRN;1024;factura;;2026-03-02;2026-04-01;RON;CTR-2025-014;;;P-100;Pompă;buc;2;1500,00;21;;;;;
    plata;RO42158732;;;;;;;RON;;;;;;;;;;OP 4411;20.03.2026;1815,00;transfer;FRN 1024=1815,00

Rows with the same series + number are the lines of one invoice (their header columns must agree).
Columns a record does not use may be left empty or left out. Values:

- ``cui``: the client company's CUI, with or without RO; the company must exist in the portal.
- ``kind``: ``factura`` (default) or ``storno``; a storno names the invoice it reverses in
  ``reverses`` (``SERIE NUMĂR``) and has negative quantities.
- dates ``YYYY-MM-DD`` or ``DD.MM.YYYY``; amounts with a decimal point or comma (``1.234,56`` too);
  ``currency`` RON or EUR; ``delivery_date`` the tax point when it is not the issue date;
  ``vat_rate`` required: a rate in force on the tax point (21 or 11 since 1.08.2025; 19, 9 or 5
  before) or 0; ``vat_category`` S (the default above 0), or for a 0 % line Z, E, AE, K or O, which
  but for Z also need ``vat_exemption_code`` (VATEX-EU-...) or ``vat_exemption_reason``;
  ``contract`` a contract number and ``project``
  a project code of the same company (optional); ``exchange_rate`` for an EUR invoice, BNR's rate of the
  issue date (lei for 1 EUR, up to 4 decimals), required: the invoice also shows its VAT in lei.
- An invoice already in the portal is issued: a row that changes its fiscal fields or lines is refused,
  naming them (corrections come as a storno); only ``project`` and the e-Factura columns may change.
- e-Factura (optional, on the invoice's rows): ``anaf_upload_index`` and ``anaf_download_id`` (ANAF's
  numbers), ``anaf_status`` ``uploaded``, ``validated`` or ``rejected`` (with ``anaf_message``),
  ``anaf_xml`` and ``anaf_zip``: names of files in the import file's folder, the XML as submitted to
  ANAF and ANAF's signed ZIP. Each file is checked with ANAF's rules and against the invoice (number,
  buyer, total) and refused with the rules it fails; once kept, it never changes.
- ``method``: ``transfer``, ``card``, ``numerar`` or ``compensare``; ``allocations``:
  ``SERIE NUMĂR=SUMĂ`` separated by ``|`` (JSON: a list of {"invoice", "amount"}). The file's
  allocations replace the payment's; what is not allocated stays as the client's credit.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Company
from billing import services
from billing.models import Invoice, Payment
from portal.money import Currency
from portal.normalize import normalize_number
from portal.vat import VatCategory, check_line

CSV_COLUMNS = (
    "record",
    "cui",
    "series",
    "number",
    "kind",
    "reverses",
    "issue_date",
    "due_date",
    "delivery_date",
    "currency",
    "exchange_rate",
    "contract",
    "project",
    "notes",
    "code",
    "description",
    "unit",
    "quantity",
    "unit_price",
    "vat_rate",
    "vat_category",
    "vat_exemption_code",
    "vat_exemption_reason",
    "reference",
    "date",
    "amount",
    "method",
    "allocations",
    "anaf_upload_index",
    "anaf_download_id",
    "anaf_status",
    "anaf_message",
    "anaf_xml",
    "anaf_zip",
)
ORIGINAL_MAX_BYTES = 10 * 1024 * 1024


class Rejected(Exception):
    pass


@dataclass
class Outcome:
    what: str
    result: str  # created, updated, unchanged, rejected
    reason: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, kind: str, result: str) -> int:
        return sum(1 for o in self.outcomes if o.what.startswith(kind) and o.result == result)

    @property
    def rejected(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result == "rejected"]


# --- values ---------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _digits(value) -> str:
    """A number as the file writes it, with digits of any script or width as ASCII (portal.normalize)."""
    return normalize_number(_text(value))


def parse_date(value, name: str) -> date:
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise Rejected(f"{name}: „{text}” nu este o dată (AAAA-LL-ZZ sau ZZ.LL.AAAA)")


def parse_decimal(value, name: str) -> Decimal:
    text = _digits(value)
    if "," in text and "." in text:  # 1.234,56
        text = text.replace(".", "")
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Rejected(f"{name}: „{_text(value)}” nu este un număr") from None
    if not number.is_finite():
        raise Rejected(f"{name}: „{_text(value)}” nu este un număr")
    return number


def parse_choice(value, name: str, choices, default: str = "") -> str:
    text = (_text(value) or default).lower()
    allowed = {str(choice).lower(): choice for choice in choices}
    if text not in allowed:
        raise Rejected(f"{name}: „{_text(value)}” nu este unul din {', '.join(str(c) for c in choices)}")
    return allowed[text]


def parse_invoice_ref(value, name: str) -> tuple[str, int]:
    series, _space, number = _text(value).rpartition(" ")
    number = _digits(number)
    if not series or not number.isascii() or not number.isdigit():
        raise Rejected(f"{name}: „{_text(value)}” nu are forma SERIE NUMĂR")
    return series.strip(), int(number)


def _company(cui: str) -> Company:
    company = Company.objects.with_cui(_text(cui)).first() if _text(cui) else None
    if company is None:
        raise Rejected(f"compania cu CUI „{_text(cui)}” nu există în portal")
    return company


class Lookups:
    """What a batch (a file, an API call) looks up once instead of per invoice: the companies by CUI and,
    with ``preload``, the batch's invoices already in the portal with their lines, so that recognising an
    unchanged invoice costs no query."""

    def __init__(self):
        self.companies: dict[str, Company] = {}
        self.invoices: dict[tuple[str, int], Invoice] | None = None

    def company(self, cui) -> Company:
        key = _text(cui)
        if key not in self.companies:
            self.companies[key] = _company(key)
        return self.companies[key]

    def preload(self, records: list[dict]) -> None:
        numbers: dict[str, set[int]] = {}
        for data in records:
            number = _digits(data.get("number"))
            if number.isascii() and number.isdigit():
                numbers.setdefault(_text(data.get("series")), set()).add(int(number))
        query = Q(pk__in=[])
        for series, wanted in numbers.items():
            query |= Q(series=series, number__in=wanted)
        found = Invoice.objects.filter(query).prefetch_related("lines")
        self.invoices = {(invoice.series, invoice.number): invoice for invoice in found}

    def known(self, fields: dict):
        """The invoice as preloaded (None: not in the portal then), or NOT_LOOKED_UP without a preload."""
        if self.invoices is None:
            return services.NOT_LOOKED_UP
        return self.invoices.get((fields["series"], fields["number"]))


def _invoice_of(company: Company, ref: str, name: str) -> Invoice:
    series, number = parse_invoice_ref(ref, name)
    invoice = Invoice.objects.filter(company=company, series=series, number=number).first()
    if invoice is None:
        raise Rejected(f"{name}: factura {series} {number} nu există pentru {company.name}")
    return invoice


# --- one invoice, one payment ---------------------------------------------------------------------


def _invoice_fields(data: dict, company: Company) -> dict:
    series = _text(data.get("series"))
    number = _digits(data.get("number"))
    if not series or " " in series:
        raise Rejected("seria lipsește sau conține spații")
    if not number.isascii() or not number.isdigit() or int(number) == 0:
        raise Rejected(f"numărul „{number}” nu este un număr pozitiv")
    kind = parse_choice(data.get("kind"), "kind", Invoice.Kind.values, default=Invoice.Kind.INVOICE)
    reverses = None
    if kind == Invoice.Kind.CREDIT_NOTE:
        reverses = _invoice_of(company, data.get("reverses"), "reverses")
    elif _text(data.get("reverses")):
        raise Rejected("doar o factură storno are „reverses”")
    currency = parse_choice(data.get("currency"), "currency", Currency.values, default=Currency.RON)
    contract = project = None
    if _text(data.get("contract")):
        contract = company.contracts.filter(number=_text(data["contract"])).first()
        if contract is None:
            raise Rejected(f"contractul „{_text(data['contract'])}” nu există pentru {company.name}")
    if _text(data.get("project")):
        project = company.projects.filter(code=_text(data["project"])).first()
        if project is None:
            raise Rejected(f"proiectul „{_text(data['project'])}” nu există pentru {company.name}")
    return {
        "series": series,
        "number": int(number),
        "kind": kind,
        "reverses": reverses,
        "issue_date": parse_date(data.get("issue_date"), "issue_date"),
        "due_date": parse_date(data.get("due_date"), "due_date"),
        "delivery_date": parse_date(data["delivery_date"], "delivery_date")
        if _text(data.get("delivery_date"))
        else None,
        "currency": currency,
        "exchange_rate": _exchange_rate(data, currency),
        "contract": contract,
        "project": project,
        "notes": _text(data.get("notes")),
    }


def _exchange_rate(data: dict, currency: str) -> Decimal | None:
    if not _text(data.get("exchange_rate")):
        if currency != Currency.RON:
            raise Rejected(f"exchange_rate: lipsește cursul BNR pentru o factură în {currency}")
        return None
    if currency == Currency.RON:
        raise Rejected("exchange_rate: doar o factură în altă monedă decât RON are curs de schimb")
    rate = parse_decimal(data.get("exchange_rate"), "exchange_rate")
    if rate <= 0 or rate != rate.quantize(Decimal("0.0001")):
        raise Rejected("exchange_rate: un număr pozitiv, cu cel mult 4 zecimale")
    return rate


def _original_file(name: str, column: str, folder: Path | None) -> bytes | None:
    """A file the row names, read from the originals' folder and never from outside it."""
    if not name:
        return None
    if folder is None:
        raise Rejected(f"{column}: fișierele e-Factura se importă dintr-un fișier pe disc, cu dosarul lor")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise Rejected(f"{column}: fișierul „{name}” nu există în {folder}")
    if path.stat().st_size > ORIGINAL_MAX_BYTES:
        raise Rejected(f"{column}: fișierul „{name}” depășește 10 MB")
    return path.read_bytes()


def _originals(data: dict, folder: Path | None) -> services.Originals | None:
    values = {
        column: _text(data.get(f"anaf_{column}")) for column in ("upload_index", "download_id", "status", "message")
    }
    xml_name, zip_name = _text(data.get("anaf_xml")), _text(data.get("anaf_zip"))
    if not any(values.values()) and not xml_name and not zip_name:
        return None
    return services.Originals(
        xml=_original_file(xml_name, "anaf_xml", folder),
        zip=_original_file(zip_name, "anaf_zip", folder),
        upload_index=_digits(values["upload_index"]),
        download_id=_digits(values["download_id"]),
        status=values["status"].lower(),
        message=values["message"][:2000],
    )


def _invoice_lines(rows: list[dict], kind: str, tax_point: date) -> list[dict]:
    if not rows:
        raise Rejected("factura nu are nicio linie")
    lines = []
    for index, row in enumerate(rows, start=1):
        where = f"linia {index}"
        description = _text(row.get("description"))
        if not description:
            raise Rejected(f"{where}: lipsește denumirea")
        quantity = parse_decimal(row.get("quantity"), f"{where}: quantity")
        unit_price = parse_decimal(row.get("unit_price"), f"{where}: unit_price")
        if quantity == 0:
            raise Rejected(f"{where}: cantitatea este 0")
        if unit_price < 0:
            raise Rejected(f"{where}: prețul unitar este negativ (o storno are cantități negative)")
        if kind == Invoice.Kind.CREDIT_NOTE and quantity > 0:
            raise Rejected(f"{where}: o factură storno are cantități negative")
        if quantity != quantity.quantize(Decimal("0.001")) or unit_price != unit_price.quantize(Decimal("0.01")):
            raise Rejected(f"{where}: cel mult 3 zecimale la cantitate și 2 la preț")
        vat = _line_vat(row, tax_point, where)
        lines.append(
            {
                "product_code": _text(row.get("code"))[:40],
                "description": description[:300],
                "unit": _text(row.get("unit"))[:12] or "buc",
                "quantity": quantity,
                "unit_price": unit_price,
                **vat,
            }
        )
    return lines


def _line_vat(row: dict, tax_point: date, where: str) -> dict:
    """The line's VAT as the ERP sent it, never a default rate, checked against the tax point: a rate above 0
    is category S unless named; a 0 % line names its category (Z, E, AE, K, O) and, but for Z, the reason."""
    text = _digits(row.get("vat_rate"))
    if not text:
        raise Rejected(f"{where}: lipsește cota TVA (vat_rate)")
    if not text.isascii() or not text.isdigit():
        raise Rejected(f"{where}: cota TVA „{text}” nu este un număr")
    rate = int(text)
    category = _text(row.get("vat_category")).upper() or (VatCategory.STANDARD if rate else "")
    if not category:
        raise Rejected(f"{where}: o linie cu cota 0 are categoria TVA (vat_category: Z, E, AE, K sau O)")
    vat = {
        "vat_rate": rate,
        "vat_category": category,
        "vat_exemption_code": _text(row.get("vat_exemption_code")).upper()[:30],
        "vat_exemption_reason": _text(row.get("vat_exemption_reason"))[:300],
    }
    try:
        check_line(
            category=category,
            rate=rate,
            tax_point=tax_point,
            reason_code=vat["vat_exemption_code"],
            reason=vat["vat_exemption_reason"],
        )
    except ValidationError as error:
        raise Rejected(f"{where}: {error.messages[0]}") from error
    return vat


def prepare_invoice(data: dict, rows: list[dict], lookups: Lookups) -> tuple[Company, dict, list[dict]]:
    """The invoice's company, header fields and lines, parsed and checked as the file and the API send them."""
    company = lookups.company(data.get("cui"))
    fields = _invoice_fields(data, company)
    if fields["due_date"] < fields["issue_date"]:
        raise Rejected("scadența este înaintea datei emiterii")
    lines = _invoice_lines(rows, fields["kind"], tax_point=fields["delivery_date"] or fields["issue_date"])
    return company, fields, lines


def import_invoice(
    data: dict,
    rows: list[dict],
    folder: Path | None = None,
    originals: services.Originals | None = None,
    lookups: Lookups | None = None,
    issued: list[int] | None = None,
) -> str:
    """One invoice from the ERP, as the file or the API writes it: ``data`` its header, ``rows`` its lines;
    ``originals`` the e-Factura files sent along (the API), else those the row names in ``folder``;
    ``lookups`` and ``issued``: the batch's (see ``Lookups`` and ``services.invoice_import``)."""
    lookups = lookups or Lookups()
    company, fields, lines = prepare_invoice(data, rows, lookups)
    originals = originals or _originals(data, folder)
    known = lookups.known(fields)
    try:
        return services.invoice_import(
            company=company, fields=fields, lines=lines, originals=originals, known=known, issued=issued
        )
    except IntegrityError:
        if known is services.NOT_LOOKED_UP:
            raise
        # Another push created it after the batch looked: recognise it as a single import would.
        return services.invoice_import(company=company, fields=fields, lines=lines, originals=originals, issued=issued)


def import_payment(data: dict, allocations: list[tuple[str, object]]) -> str:
    company = _company(data.get("cui"))
    reference = _text(data.get("reference"))
    if not reference:
        raise Rejected("plata nu are referință (după ea se recunoaște la un nou import)")
    amount = parse_decimal(data.get("amount"), "amount")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise Rejected("suma trebuie să fie pozitivă, cu cel mult 2 zecimale")
    fields = {
        "reference": reference[:64],
        "date": parse_date(data.get("date"), "date"),
        "amount": amount,
        "currency": parse_choice(data.get("currency"), "currency", Currency.values, default=Currency.RON),
        "method": parse_choice(data.get("method"), "method", Payment.Method.values, default=Payment.Method.TRANSFER),
        "notes": _text(data.get("notes"))[:300],
    }
    rows = [
        (_invoice_of(company, ref, "allocations"), parse_decimal(value, f"alocarea pe {ref}"))
        for ref, value in allocations
    ]
    return services.payment_import(company=company, fields=fields, allocations=rows)


def _run(report: Report, what: str, action) -> None:
    try:
        with transaction.atomic():  # a savepoint: a rejected row saves nothing
            report.outcomes.append(Outcome(what, action()))
    except Rejected as error:
        report.outcomes.append(Outcome(what, "rejected", str(error)))
    except ValidationError as error:
        report.outcomes.append(Outcome(what, "rejected", " ".join(error.messages)))


# --- files ----------------------------------------------------------------------------------------


def _split_allocations(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in filter(None, (p.strip() for p in _text(text).split("|"))):
        ref, sep, value = part.partition("=")
        if not sep:
            raise Rejected(f"alocarea „{part}” nu are forma SERIE NUMĂR=SUMĂ")
        pairs.append((ref.strip(), value.strip()))
    return pairs


def _records_from_csv(text: str) -> tuple[list[tuple[str, dict, list]], list[tuple[str, dict, object]]]:
    header = text.splitlines()[0] if text else ""
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if not reader.fieldnames or "record" not in reader.fieldnames or unknown:
        raise ValueError(
            f"antetul CSV trebuie să folosească doar coloanele: {';'.join(CSV_COLUMNS)}"
            + (f" (necunoscute: {', '.join(sorted(unknown))})" if unknown else "")
        )
    invoices: dict[tuple[str, str], tuple[str, dict, list]] = {}
    payments = []
    for line_number, row in enumerate(reader, start=2):
        row = {key: _text(value) for key, value in row.items() if key}
        record = row.get("record", "").lower()
        if record == "factura":
            key = (row.get("series", ""), row.get("number", ""))
            what = f"factura {key[0]} {key[1]}"
            if key not in invoices:
                invoices[key] = (what, row, [])
            invoices[key][2].append(row)
        elif record == "plata":
            payments.append(
                (f"plata {row.get('reference') or f'(rândul {line_number})'}", row, row.get("allocations", ""))
            )
        elif any(row.values()):
            payments.append((f"rândul {line_number}", {"_bad_record": record}, ""))
    return list(invoices.values()), payments


def _records_from_json(text: str):
    data = json.loads(text, parse_float=Decimal)
    if not isinstance(data, dict):
        raise ValueError("fișierul JSON trebuie să fie un obiect cu „invoices” și „payments”")
    invoices = []
    for item in data.get("invoices") or []:
        item = item if isinstance(item, dict) else {}
        invoices.append(
            (
                f"factura {_text(item.get('series'))} {_text(item.get('number'))}",
                item,
                [line if isinstance(line, dict) else {} for line in item.get("lines") or []],
            )
        )
    payments = []
    for item in data.get("payments") or []:
        item = item if isinstance(item, dict) else {}
        allocations = [
            (_text(a.get("invoice")), a.get("amount")) for a in item.get("allocations") or [] if isinstance(a, dict)
        ]
        payments.append((f"plata {_text(item.get('reference')) or '(fără referință)'}", item, allocations))
    return invoices, payments


def import_text(text: str, *, fmt: str, folder: Path | None = None) -> Report:
    """``folder``: where the e-Factura files the rows name (anaf_xml, anaf_zip) are."""
    text = text.lstrip("\ufeff")
    invoices, payments = _records_from_json(text) if fmt == "json" else _records_from_csv(text)
    report = Report()
    # Invoices before the credit notes that reverse them, then the payments that settle both.
    ordered = sorted(invoices, key=lambda record: _text(record[1].get("kind")).lower() == Invoice.Kind.CREDIT_NOTE)
    lookups = Lookups()
    for what, data, rows in ordered:
        _run(report, what, lambda data=data, rows=rows: import_invoice(data, rows, folder, lookups=lookups))
    for what, data, allocations in payments:

        def action(data=data, allocations=allocations):
            if "_bad_record" in data:
                raise Rejected(f"„record” trebuie să fie factura sau plata, nu „{data['_bad_record']}”")
            pairs = _split_allocations(allocations) if isinstance(allocations, str) else allocations
            return import_payment(data, pairs)

        _run(report, what, action)
    return report


def import_file(path: str | Path) -> Report:
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "json"):
        raise ValueError("fișierul trebuie să fie .csv sau .json")
    return import_text(path.read_text(encoding="utf-8-sig"), fmt=fmt, folder=path.parent)
