"""Validate an e-Factura XML the way ANAF's validator does, offline.

Two checks, as ANAF runs them: the UBL 2.1 XML Schema (Invoice or CreditNote) and the EN 16931 +
CIUS-RO 1.0.9 schematron rules, compiled by ANAF to XSLT 2.0 (``rules/``: where each file comes from
is in ``rules/README.md``). A rule fails with ``flag="fatal"`` (ANAF rejects the file) or
``flag="warning"`` (it is accepted). A file is valid with no schema error and no fatal rule.

The stylesheet needs an XSLT 2.0 processor (Saxon HE through ``saxonche``); compiling it takes about
half a second, so it is compiled once per process and reused (about 30 ms a file after that).
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xmlschema
from saxonche import PySaxonApiError, PySaxonProcessor

RULES = Path(__file__).resolve().parent / "rules"
STYLESHEET = RULES / "EN16931-CIUS_RO-UBL-validation-1.0.9.xslt"
SCHEMAS = {
    "Invoice": RULES / "ubl-2.1-xsd/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": RULES / "ubl-2.1-xsd/maindoc/UBL-CreditNote-2.1.xsd",
}
NAMESPACES = {
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": "Invoice",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2": "CreditNote",
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
MAX_BYTES = 20 * 1024 * 1024  # ANAF's own upload limit is 10 MB; anything larger is not an invoice


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "BR-CO-15", "BR-RO-010"
    flag: str  # "fatal" or "warning"
    text: str
    location: str


@dataclass(frozen=True)
class Report:
    kind: str  # "Invoice", "CreditNote" or "" when the document is neither
    schema_errors: tuple[str, ...]
    fatal: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def is_valid(self) -> bool:
        return not self.schema_errors and not self.fatal

    def problems(self, limit: int = 20) -> list[str]:
        """What is wrong, one line each, rule id first: for an import report or a form error."""
        lines = [f"XSD: {error}" for error in self.schema_errors]
        lines += [f"{finding.rule}: {finding.text}" for finding in self.fatal]
        return lines[:limit]


def validate(xml: bytes) -> Report:
    """The schema errors and failed rules of one e-Factura document."""
    if len(xml) > MAX_BYTES:
        return _refused(f"Fișierul are peste {MAX_BYTES // (1024 * 1024)} MB.")
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return _refused("Fișierul declară un DOCTYPE sau entități; o factură UBL nu are.")
    try:
        root = ET.fromstring(xml)  # noqa: S314 - no DOCTYPE or entity reaches this line (checked above)
    except ET.ParseError as error:
        return _refused(f"Nu este un XML bine format: {error}")
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    kind = NAMESPACES.get(namespace, "")
    if not kind:
        return _refused("Documentul nu este o factură (Invoice) sau o notă de credit (CreditNote) UBL 2.1.")
    schema_errors = tuple(_schema_error(error) for error in _schema(kind).iter_errors(xml.decode("utf-8")))
    findings = _rules().check(xml)
    return Report(
        kind=kind,
        schema_errors=schema_errors,
        fatal=tuple(f for f in findings if f.flag == "fatal"),
        warnings=tuple(f for f in findings if f.flag != "fatal"),
    )


def _refused(reason: str) -> Report:
    return Report(kind="", schema_errors=(reason,), fatal=(), warnings=())


def _schema_error(error: xmlschema.XMLSchemaValidationError) -> str:
    """Where and why, e.g. "/Invoice: Unexpected child with tag 'cbc:IssueDatex' at position 3 ..."."""
    reason = " ".join((error.reason or str(error)).split())
    return f"{error.path}: {reason}" if error.path else reason


@cache
def _schema(kind: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS[kind]))


class _Rules:
    """The compiled stylesheet; Saxon's processor is not shared between threads, so calls take a lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.processor = PySaxonProcessor(license=False)
        self.stylesheet = self.processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(STYLESHEET))

    def check(self, xml: bytes) -> list[Finding]:
        with self.lock:
            try:
                document = self.processor.parse_xml(xml_text=xml.decode("utf-8"))
                report = self.stylesheet.transform_to_string(xdm_node=document)
            except PySaxonApiError as error:
                return [Finding(rule="XML", flag="fatal", text=str(error)[:300], location="")]
        return [
            Finding(
                rule=assertion.get("id", ""),
                flag=assertion.get("flag", "fatal"),
                text=" ".join("".join(assertion.find(f"{SVRL}text").itertext()).split()),
                location=assertion.get("location", ""),
            )
            for assertion in ET.fromstring(report.encode("utf-8")).iter(f"{SVRL}failed-assert")  # noqa: S314
        ]


@cache
def _rules() -> _Rules:
    return _Rules()
