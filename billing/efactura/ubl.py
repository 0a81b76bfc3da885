"""An issued invoice or credit note as a UBL 2.1 e-Factura XML (EN 16931 with ANAF's CIUS-RO).

A pure function of the invoice, its lines and the parties frozen at issue (``Invoice.supplier_data`` and
``buyer_data``): no query, no clock. A credit note is a UBL ``CreditNote`` (type 381) with positive
quantities and amounts, reversing the invoice it names (BT-25). The amounts are the ones the invoice
stores (each line rounded on its own, VAT once per category and rate, portal.money), so the XML, the
page and the PDF agree to the ban. Which business term each element carries is noted beside it (BT-…).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal.counties import subdivision
from portal.money import cents, vat_groups
from portal.vat import FIXED_EXEMPTION_CODES, VatCategory

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1"
ROOT_NAMESPACES = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ET.register_namespace("cac", CAC)
ET.register_namespace("cbc", CBC)

INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
CREDIT_TRANSFER = "30"  # UNTDID 4461; BR-50 then asks for the IBAN
VAT_ON_RECEIPT = "432"  # UNTDID 2005, BT-8: VAT due when paid ("TVA la încasare", BR-RO-040)
NOTE_LENGTH = 300  # BR-RO-L300
NAME_LENGTH = 100  # BR-RO-L100, the item's name; the description carries the rest (200)
DESCRIPTION_LENGTH = 200

# UN/ECE Recommendation 20 codes for the units the ERP writes; anything else is "one" (C62).
UNIT_CODES = {
    "buc": "H87",
    "bucata": "H87",
    "bucăți": "H87",
    "ora": "HUR",
    "oră": "HUR",
    "ore": "HUR",
    "h": "HUR",
    "zi": "DAY",
    "zile": "DAY",
    "luna": "MON",
    "lună": "MON",
    "luni": "MON",
    "an": "ANN",
    "kg": "KGM",
    "g": "GRM",
    "t": "TNE",
    "m": "MTR",
    "ml": "MTR",
    "km": "KMT",
    "mp": "MTK",
    "m2": "MTK",
    "mc": "MTQ",
    "m3": "MTQ",
    "l": "LTR",
    "set": "SET",
    "kwh": "KWH",
}
OTHER_UNIT = "C62"


@dataclass(frozen=True)
class References:
    """What the invoice points at, as its documents are numbered."""

    contract: str = ""  # BT-12
    order: str = ""  # BT-13, the accepted offer
    reversed_label: str = ""  # BT-25, for a credit note
    reversed_issue_date: str = ""  # BT-26, YYYY-MM-DD


def unit_code(unit: str) -> str:
    return UNIT_CODES.get(unit.strip().lower().rstrip("."), OTHER_UNIT)


def amount(value: Decimal) -> str:
    return f"{cents(value):.2f}"


def quantity(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def chunks(text: str, size: int) -> list[str]:
    """A long text as notes of at most ``size`` characters, cut between words where it can."""
    words, parts, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= size:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(word) > size:
            parts.append(word[:size])
            word = word[size:]
        current = word
    return parts + ([current] if current else [])


class Builder:
    """ElementTree with UBL's two namespaces, so the document below reads like the XML it writes."""

    def __init__(self, root: str):
        self.root = ET.Element(f"{{{ROOT_NAMESPACES[root]}}}{root}")

    @staticmethod
    def cbc(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{CBC}}}{name}", attributes)
        element.text = text
        return element

    @staticmethod
    def cac(parent: ET.Element, name: str) -> ET.Element:
        return ET.SubElement(parent, f"{{{CAC}}}{name}")

    def bytes(self) -> bytes:
        ET.indent(self.root, space=" ")
        return ET.tostring(self.root, encoding="UTF-8", xml_declaration=True)


def is_vat_payer(cui: str) -> bool:
    return cui.upper().startswith("RO")


def add_party(xml: Builder, parent: ET.Element, data: dict, *, seller: bool) -> None:
    """BG-4 (seller) or BG-7 (buyer): address with the county's ISO code, CUI, Reg. Com., contact."""
    party = xml.cac(xml.cac(parent, "AccountingSupplierParty" if seller else "AccountingCustomerParty"), "Party")
    cui, reg_com = data["cui"].upper(), data.get("reg_com", "")
    if not seller and reg_com and not is_vat_payer(cui):
        xml.cbc(xml.cac(party, "PartyIdentification"), "ID", reg_com)  # BT-46: BT-47 holds the CUI
    xml.cbc(xml.cac(party, "PartyName"), "Name", data["name"][:200])  # BT-28 / BT-45
    place = subdivision(county=data.get("county", ""), city=data.get("city", ""), address=data.get("street", ""))
    address = xml.cac(party, "PostalAddress")
    xml.cbc(address, "StreetName", data.get("street", "")[:150])  # BT-35 / BT-50
    xml.cbc(address, "CityName", place.city[:50])  # BT-37 / BT-52
    xml.cbc(address, "CountrySubentity", place.code)  # BT-39 / BT-54
    xml.cbc(xml.cac(address, "Country"), "IdentificationCode", "RO")
    if is_vat_payer(cui):
        scheme = xml.cac(party, "PartyTaxScheme")
        xml.cbc(scheme, "CompanyID", cui)  # BT-31 / BT-48
        xml.cbc(xml.cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = xml.cac(party, "PartyLegalEntity")
    xml.cbc(legal, "RegistrationName", data["name"][:200])  # BT-27 / BT-44
    legal_id = reg_com if (seller or is_vat_payer(cui)) and reg_com else cui.removeprefix("RO")
    xml.cbc(legal, "CompanyID", legal_id)  # BT-30 / BT-47
    if seller and data.get("capital"):
        xml.cbc(legal, "CompanyLegalForm", f"Capital social: {data['capital']}")  # BT-33
    if data.get("phone") or data.get("email"):
        contact = xml.cac(party, "Contact")
        if data.get("phone"):
            xml.cbc(contact, "Telephone", data["phone"][:100])
        if data.get("email"):
            xml.cbc(contact, "ElectronicMail", data["email"][:100])


def legal_notes(invoice, lines: Sequence, *, sign: int) -> list[str]:
    """The mentions Codul fiscal art. 319 asks for that apply, then the invoice's own notes (BT-22)."""
    notes = []
    if invoice.supplier_data.get("vat_on_receipt"):
        notes.append("TVA la încasare")
    if any(line.vat_category == VatCategory.REVERSE_CHARGE for line in lines):
        notes.append("Taxare inversă")
    if invoice.currency != "RON" and invoice.exchange_rate:
        notes.append(
            f"Curs de schimb: 1 {invoice.currency} = {invoice.exchange_rate} lei; "
            f"TVA în lei: {amount(invoice.vat_in_lei * sign)} lei"
        )
    notes += chunks(invoice.notes, NOTE_LENGTH)
    return notes[:20]  # BR-RO-A020


def add_header(xml: Builder, invoice, lines: Sequence, refs: References, *, sign: int) -> None:
    root, credit = xml.root, invoice.is_credit_note
    xml.cbc(root, "CustomizationID", CUSTOMIZATION_ID)  # BT-24
    xml.cbc(root, "ID", invoice.label)  # BT-1
    xml.cbc(root, "IssueDate", invoice.issue_date.isoformat())  # BT-2
    if not credit:
        xml.cbc(root, "DueDate", invoice.due_date.isoformat())  # BT-9
    xml.cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", CREDIT_NOTE_TYPE if credit else INVOICE_TYPE)
    for note in legal_notes(invoice, lines, sign=sign):
        xml.cbc(root, "Note", note)
    xml.cbc(root, "DocumentCurrencyCode", invoice.currency)  # BT-5
    if invoice.currency != "RON":
        xml.cbc(root, "TaxCurrencyCode", "RON")  # BT-6, BR-RO-030
    if invoice.supplier_data.get("vat_on_receipt"):
        xml.cbc(xml.cac(root, "InvoicePeriod"), "DescriptionCode", VAT_ON_RECEIPT)  # BT-8
    if refs.order:
        xml.cbc(xml.cac(root, "OrderReference"), "ID", refs.order[:200])  # BT-13
    if refs.reversed_label:
        reference = xml.cac(xml.cac(root, "BillingReference"), "InvoiceDocumentReference")
        xml.cbc(reference, "ID", refs.reversed_label)  # BT-25
        xml.cbc(reference, "IssueDate", refs.reversed_issue_date)  # BT-26
    if refs.contract:
        xml.cbc(xml.cac(root, "ContractDocumentReference"), "ID", refs.contract[:200])  # BT-12


def add_payment(xml: Builder, invoice) -> None:
    """BG-16: a credit transfer to the supplier's IBAN, the invoice number as the payment reference."""
    supplier = invoice.supplier_data
    if invoice.is_credit_note:
        return
    if supplier.get("iban"):
        means = xml.cac(xml.root, "PaymentMeans")
        xml.cbc(means, "PaymentMeansCode", CREDIT_TRANSFER)  # BT-81
        xml.cbc(means, "PaymentID", invoice.label)  # BT-83
        account = xml.cac(means, "PayeeFinancialAccount")
        xml.cbc(account, "ID", supplier["iban"].replace(" ", ""))  # BT-84
        xml.cbc(account, "Name", supplier["name"][:200])  # BT-85
        if supplier.get("bic"):
            xml.cbc(xml.cac(account, "FinancialInstitutionBranch"), "ID", supplier["bic"])  # BT-86
    terms = f"Scadența: {invoice.due_date:%d.%m.%Y}"
    if supplier.get("iban"):
        terms += f", în contul {supplier['iban']}" + (f" ({supplier['bank']})" if supplier.get("bank") else "")
    xml.cbc(xml.cac(xml.root, "PaymentTerms"), "Note", terms)  # BT-20


def add_tax_category(xml: Builder, parent: ET.Element, name: str, *, category: str, rate: int) -> ET.Element:
    element = xml.cac(parent, name)
    xml.cbc(element, "ID", category)
    if category != VatCategory.OUTSIDE_SCOPE:  # BR-O-05: "not subject to VAT" carries no rate
        xml.cbc(element, "Percent", str(rate))
    return element


def add_tax_totals(xml: Builder, invoice, lines: Sequence, *, sign: int) -> None:
    """BG-23: one subtotal per VAT category and rate, each VAT rounded once (BR-CO-17); then, for a
    foreign-currency invoice, the VAT in lei (BT-111)."""
    currency = invoice.currency
    total = xml.cac(xml.root, "TaxTotal")
    xml.cbc(total, "TaxAmount", amount(invoice.total_vat * sign), currencyID=currency)  # BT-110
    reasons = {}
    for line in lines:
        reasons.setdefault((line.vat_rate, line.vat_category), line)
    for group in vat_groups((line.vat_rate, line.net_amount, line.vat_category) for line in lines):
        subtotal = xml.cac(total, "TaxSubtotal")
        xml.cbc(subtotal, "TaxableAmount", amount(group.net * sign), currencyID=currency)  # BT-116
        xml.cbc(subtotal, "TaxAmount", amount(group.vat * sign), currencyID=currency)  # BT-117
        category = add_tax_category(xml, subtotal, "TaxCategory", category=group.category, rate=group.rate)
        first = reasons[(group.rate, group.category)]
        code = first.vat_exemption_code or FIXED_EXEMPTION_CODES.get(group.category, "")
        if code:
            xml.cbc(category, "TaxExemptionReasonCode", code)  # BT-121
        if first.vat_exemption_reason:
            xml.cbc(category, "TaxExemptionReason", first.vat_exemption_reason[:100])  # BT-120
        xml.cbc(xml.cac(category, "TaxScheme"), "ID", "VAT")
    if currency != "RON":
        in_lei = xml.cac(xml.root, "TaxTotal")
        xml.cbc(in_lei, "TaxAmount", amount(invoice.vat_in_lei * sign), currencyID="RON")  # BT-111


def add_totals(xml: Builder, invoice, *, sign: int) -> None:
    """BG-22; nothing was paid in advance, so the amount due is the total."""
    totals = xml.cac(xml.root, "LegalMonetaryTotal")
    currency = invoice.currency
    xml.cbc(totals, "LineExtensionAmount", amount(invoice.total_net * sign), currencyID=currency)  # BT-106
    xml.cbc(totals, "TaxExclusiveAmount", amount(invoice.total_net * sign), currencyID=currency)  # BT-109
    xml.cbc(totals, "TaxInclusiveAmount", amount(invoice.total_gross * sign), currencyID=currency)  # BT-112
    xml.cbc(totals, "PayableAmount", amount(invoice.total_gross * sign), currencyID=currency)  # BT-115


def add_lines(xml: Builder, invoice, lines: Sequence, *, sign: int) -> None:
    """BG-25, one per line: quantity and price as entered, the line's value as stored."""
    element, quantity_name = (
        ("CreditNoteLine", "CreditedQuantity") if invoice.is_credit_note else ("InvoiceLine", "InvoicedQuantity")
    )
    currency = invoice.currency
    for index, line in enumerate(lines, start=1):
        row = xml.cac(xml.root, element)
        xml.cbc(row, "ID", str(index))  # BT-126
        xml.cbc(row, quantity_name, quantity(line.quantity * sign), unitCode=unit_code(line.unit))  # BT-129/130
        xml.cbc(row, "LineExtensionAmount", amount(line.net_amount * sign), currencyID=currency)  # BT-131
        item = xml.cac(row, "Item")
        description = re.sub(r"\s+", " ", line.description).strip()
        if len(description) > NAME_LENGTH:
            xml.cbc(item, "Description", description[:DESCRIPTION_LENGTH])  # BT-154
        xml.cbc(item, "Name", description[:NAME_LENGTH])  # BT-153
        if line.product_code:
            xml.cbc(xml.cac(item, "SellersItemIdentification"), "ID", line.product_code)  # BT-155
        tax = add_tax_category(xml, item, "ClassifiedTaxCategory", category=line.vat_category, rate=line.vat_rate)
        xml.cbc(xml.cac(tax, "TaxScheme"), "ID", "VAT")
        xml.cbc(xml.cac(row, "Price"), "PriceAmount", amount(line.unit_price), currencyID=currency)  # BT-146


def build(invoice, lines: Sequence, refs: References) -> bytes:
    """The e-Factura XML of an issued invoice (``lines`` in their order, ``refs`` its documents' numbers)."""
    sign = -1 if invoice.is_credit_note else 1
    xml = Builder("CreditNote" if invoice.is_credit_note else "Invoice")
    add_header(xml, invoice, lines, refs, sign=sign)
    add_party(xml, xml.root, invoice.supplier_data, seller=True)
    add_party(xml, xml.root, invoice.buyer_data, seller=False)
    if invoice.delivery_date:
        xml.cbc(xml.cac(xml.root, "Delivery"), "ActualDeliveryDate", invoice.delivery_date.isoformat())  # BT-72
    add_payment(xml, invoice)
    add_tax_totals(xml, invoice, lines, sign=sign)
    add_totals(xml, invoice, sign=sign)
    add_lines(xml, invoice, lines, sign=sign)
    return xml.bytes()
