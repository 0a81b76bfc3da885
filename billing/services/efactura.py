"""e-Factura: the parties frozen at issue, the portal's own XML of an issued invoice (made once by a task,
never changed), and the ERP's originals (the XML submitted to ANAF, ANAF's signed ZIP, the upload index
and status), each validated with ANAF's rules before it is kept.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing import selectors
from billing.conf import supplier
from billing.efactura import ubl
from billing.efactura.validation import validate
from billing.models import AnafStatus, Invoice
from files.models import StoredFile
from files.responses import safe_filename
from files.services import store_generated
from portal import audit

logger = logging.getLogger(__name__)

XML_TYPE = "application/xml"
ZIP_TYPE = "application/zip"
MAX_ORIGINAL_BYTES = 10 * 1024 * 1024  # ANAF's own upload limit
SIGNATURE_PREFIX = "semnatura_"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


def freeze_parties(invoice: Invoice) -> None:
    """The supplier's and the client's data as they are today, kept on the invoice (at issue)."""
    invoice.supplier_data = supplier()
    invoice.buyer_data = selectors.party(invoice.company)


# --- the portal's XML -----------------------------------------------------------------------------


def references(invoice: Invoice) -> ubl.References:
    original = invoice.reverses
    return ubl.References(
        contract=invoice.contract.number if invoice.contract_id else "",
        order=invoice.offer.number if invoice.offer_id else "",
        reversed_label=original.label if original else "",
        reversed_issue_date=original.issue_date.isoformat() if original else "",
    )


def invoice_xml_bytes(invoice: Invoice) -> bytes:
    """The e-Factura XML of an issued invoice, built from what it stores (three queries: the invoice with
    its documents, its lines)."""
    invoice = Invoice.objects.select_related("company", "reverses", "contract", "offer").get(pk=invoice.pk)
    if not invoice.supplier_data:  # issued before the parties were kept: today's data is the best there is
        freeze_parties(invoice)
        Invoice.objects.filter(pk=invoice.pk).update(supplier_data=invoice.supplier_data, buyer_data=invoice.buyer_data)
    lines = list(invoice.lines.order_by("position", "id"))
    return ubl.build(invoice, lines, references(invoice))


def invoice_xml_name(invoice: Invoice, *, original: bool) -> str:
    kind = _("Factura storno") if invoice.is_credit_note else _("Factura")
    suffix = _("e-Factura") if original else _("e-Factura generată de portal")
    return safe_filename(f"{kind} {invoice.series} {invoice.number} {suffix}", "xml")


def invoice_render_xml(*, invoice_id: int) -> StoredFile | None:
    """Make and keep the portal's XML of an issued invoice, once: an issued invoice's XML never changes.
    Safe to run twice. A file ANAF's rules would refuse is still kept (it is what the invoice says) and
    logged as an error, with the rules it fails, for the staff to correct by storno."""
    invoice = Invoice.objects.select_related("company", "xml").filter(pk=invoice_id).first()
    if invoice is None or invoice.status == Invoice.Status.DRAFT:
        return None
    if invoice.xml is not None:
        return invoice.xml
    content = invoice_xml_bytes(invoice)
    report = validate(content)
    if not report.is_valid:
        logger.error("e-Factura XML of invoice %s fails ANAF's rules: %s", invoice.pk, "; ".join(report.problems()))
    with transaction.atomic():
        current = Invoice.objects.select_for_update().filter(pk=invoice_id).values_list("xml_id", flat=True).first()
        if current is not None:
            return StoredFile.objects.get(pk=current)  # another run stored it meanwhile
        stored = store_generated(
            company=invoice.company,
            name=invoice_xml_name(invoice, original=False),
            content=content,
            content_type=XML_TYPE,
        )
        Invoice.objects.filter(pk=invoice_id).update(xml=stored)
    return stored


# --- the ERP's originals --------------------------------------------------------------------------


@dataclass(frozen=True)
class Originals:
    """What the ERP sends about an invoice's life in e-Factura; a field left empty is left as it is."""

    xml: bytes | None = None
    zip: bytes | None = None
    upload_index: str = ""
    download_id: str = ""
    status: str = ""
    message: str = ""


def _refuse_report(what: str, report) -> ValidationError:
    return ValidationError(
        _("%(what)s nu trece validarea ANAF: %(problems)s") % {"what": what, "problems": "; ".join(report.problems(5))}
    )


def _text(root: ET.Element, path: str) -> str:
    element = root.find(path)
    return (element.text or "").strip() if element is not None else ""


def _same_number(text: str, invoice: Invoice) -> bool:
    compact = re.sub(r"[\s\-/]", "", text).upper()
    return compact == f"{invoice.series}{invoice.number}".replace(" ", "").upper() or compact.endswith(
        f"{invoice.series}{invoice.number}".upper()
    )


def check_original_xml(content: bytes, invoice: Invoice, *, what: str) -> None:
    """ANAF's rules pass, and the file is this invoice: its number, its buyer's CUI and its total."""
    if len(content) > MAX_ORIGINAL_BYTES:
        raise ValidationError(_("%(what)s depășește 10 MB.") % {"what": what})
    report = validate(content)
    if not report.is_valid:
        raise _refuse_report(what, report)
    root = ET.fromstring(content)  # noqa: S314 - validate() has refused DOCTYPEs and entities already
    expected_kind = "CreditNote" if invoice.is_credit_note else "Invoice"
    number = _text(root, f"{CBC}ID")
    buyer_ids = {
        re.sub(r"^RO", "", (element.text or "").strip().upper())
        for element in root.iterfind(f"{CAC}AccountingCustomerParty//{CBC}CompanyID")
    }
    total = _text(root, f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount")
    expected_total = f"{abs(invoice.total_gross):.2f}" if invoice.is_credit_note else f"{invoice.total_gross:.2f}"
    problems = []
    if report.kind != expected_kind:
        problems.append(_("este un %(found)s, nu un %(expected)s") % {"found": report.kind, "expected": expected_kind})
    if not _same_number(number, invoice):
        problems.append(_("are numărul „%(found)s”, nu %(invoice)s") % {"found": number, "invoice": invoice.label})
    if invoice.company.cui_digits not in buyer_ids:
        problems.append(_("cumpărătorul nu are CUI-ul %(cui)s") % {"cui": invoice.company.cui})
    if total and total.lstrip("-") != expected_total.lstrip("-"):
        problems.append(_("totalul de plată este %(found)s, nu %(total)s") % {"found": total, "total": expected_total})
    if problems:
        raise ValidationError(
            _("%(what)s nu este al facturii %(invoice)s: %(problems)s")
            % {"what": what, "invoice": invoice.label, "problems": "; ".join(problems)}
        )


def signed_zip_invoice(content: bytes) -> bytes:
    """The invoice XML inside ANAF's signed ZIP (beside it, ANAF's ``semnatura_*.xml``)."""
    if len(content) > MAX_ORIGINAL_BYTES:
        raise ValidationError(_("ZIP-ul semnat depășește 10 MB."))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) > 10 or sum(info.file_size for info in members) > 5 * MAX_ORIGINAL_BYTES:
                raise ValidationError(_("ZIP-ul semnat are prea multe fișiere sau prea mari pentru o factură."))
            names = [info.filename for info in members]
            signatures = [name for name in names if name.lower().startswith(SIGNATURE_PREFIX)]
            invoices = [name for name in names if name.lower().endswith(".xml") and name not in signatures]
            if len(signatures) != 1 or len(invoices) != 1:
                raise ValidationError(
                    _("ZIP-ul semnat ANAF trebuie să conțină factura XML și semnătura %(prefix)s*.xml.")
                    % {"prefix": SIGNATURE_PREFIX}
                )
            return archive.read(invoices[0])
    except (zipfile.BadZipFile, EOFError, ValueError) as error:
        raise ValidationError(_("Fișierul nu este o arhivă ZIP validă.")) from error


def check_status(originals: Originals, invoice: Invoice) -> None:
    if originals.status and originals.status not in AnafStatus.values:
        raise ValidationError(
            _("Starea e-Factura „%(status)s” nu există (uploaded, validated sau rejected).")
            % {"status": originals.status}
        )
    if originals.status == AnafStatus.REJECTED and not originals.message:
        raise ValidationError(_("O factură respinsă de ANAF are nevoie de mesajul ANAF."))
    if originals.status and not (originals.upload_index or invoice.anaf_upload_index):
        raise ValidationError(_("Starea e-Factura are nevoie de indexul de încărcare."))
    for value, label in (
        (originals.upload_index, _("Indexul de încărcare")),
        (originals.download_id, _("Id-ul de descărcare")),
    ):
        if value and not value.isdigit():
            raise ValidationError(_("%(label)s are doar cifre.") % {"label": label})


def invoice_signed_zip_name(invoice: Invoice) -> str:
    kind = _("Factura storno") if invoice.is_credit_note else _("Factura")
    return safe_filename(f"{kind} {invoice.series} {invoice.number} {_('semnat ANAF')}", "zip")


def _store_original(invoice: Invoice, content: bytes, *, zip_file: bool) -> StoredFile:
    name = invoice_signed_zip_name(invoice) if zip_file else invoice_xml_name(invoice, original=True)
    return store_generated(
        company=invoice.company, name=name, content=content, content_type=ZIP_TYPE if zip_file else XML_TYPE
    )


def _stored_bytes(stored: StoredFile | None) -> bytes | None:
    if stored is None:
        return None
    with stored.file.open("rb") as handle:
        return handle.read()


class OriginalConflict(ValidationError):
    """The invoice already holds a different original: originals never change (the API answers 409)."""


def _check_unchanged(current: str | bytes | None, new: str | bytes | None, label: str) -> bool:
    """True when ``new`` has to be stored; refuses a different value where one is kept."""
    if not new or current == new:
        return False
    if current:
        raise OriginalConflict(
            _("Factura are deja %(label)s, diferit: originalele e-Factura nu se schimbă.") % {"label": label}
        )
    return True


def _originals_to_store(originals: Originals, invoice: Invoice) -> tuple[bytes | None, bytes | None]:
    """The XML and ZIP that are new for this invoice, each checked; the ZIP's XML is the XML's original."""
    xml, zip_content = originals.xml, originals.zip
    if zip_content is not None:
        inner = signed_zip_invoice(zip_content)
        check_original_xml(inner, invoice, what=_("XML-ul din ZIP-ul semnat"))
        if xml is not None and xml != inner:
            raise ValidationError(_("XML-ul trimis nu este cel din ZIP-ul semnat ANAF."))
        xml = inner
    elif xml is not None:
        check_original_xml(xml, invoice, what=_("XML-ul e-Factura"))
    current_xml = _stored_bytes(invoice.anaf_xml)
    current_zip = _stored_bytes(invoice.anaf_zip)
    new_xml = xml if _check_unchanged(current_xml, xml, _("un XML transmis la ANAF")) else None
    new_zip = zip_content if _check_unchanged(current_zip, zip_content, _("un ZIP semnat ANAF")) else None
    if new_zip is not None and current_xml is not None and current_xml != xml:
        raise OriginalConflict(_("ZIP-ul semnat ANAF nu conține XML-ul transmis deja pentru această factură."))
    return new_xml, new_zip


@transaction.atomic
def invoice_attach_originals(*, invoice: Invoice, originals: Originals, by: User | None = None) -> bool:
    """Keep what the ERP sends about the invoice in e-Factura. Returns whether anything changed.

    The XML and the signed ZIP are checked with ANAF's rules and against the invoice (number, buyer,
    total); once kept they never change, nor does the upload index (a different one is an
    ``OriginalConflict``). The status moves on (uploaded → validated or rejected) and keeps ANAF's message.
    """
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("company", "anaf_xml", "anaf_zip")
        .get(pk=invoice.pk)
    )
    if invoice.status == Invoice.Status.DRAFT:
        raise ValidationError(_("O ciornă nu are documente e-Factura: emiteți întâi factura."))
    check_status(originals, invoice)
    _check_unchanged(invoice.anaf_upload_index, originals.upload_index, _("un index de încărcare"))
    _check_unchanged(invoice.anaf_download_id, originals.download_id, _("un id de descărcare"))
    if invoice.anaf_status == AnafStatus.VALIDATED and originals.status not in ("", AnafStatus.VALIDATED):
        raise OriginalConflict(_("Factura a fost deja validată de ANAF; starea nu mai poate fi schimbată."))
    new_xml, new_zip = _originals_to_store(originals, invoice)
    changes = {}
    if new_xml is not None:
        changes["anaf_xml"] = _store_original(invoice, new_xml, zip_file=False)
    if new_zip is not None:
        changes["anaf_zip"] = _store_original(invoice, new_zip, zip_file=True)
    for field, value in (
        ("anaf_upload_index", originals.upload_index),
        ("anaf_download_id", originals.download_id),
        ("anaf_status", originals.status),
        ("anaf_message", originals.message if originals.status else ""),
    ):
        if value and getattr(invoice, field) != value:
            changes[field] = value
    if not changes:
        return False
    changes["anaf_updated_at"] = timezone.now()
    Invoice.objects.filter(pk=invoice.pk).update(**changes)
    audit.record(
        action="invoice.efactura",
        company=invoice.company,
        user=by,
        obj=invoice,
        changed=sorted(changes),
        status=originals.status or invoice.anaf_status,
    )
    return True
