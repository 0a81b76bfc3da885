"""Romanian company identifiers: normalised (portal.normalize) before any check, then ASCII only.

The checks themselves are python-stdnum's (stdnum.ro.cui, stdnum.ro.onrc, stdnum.iban): a
maintained library that follows the registries' changes, such as the ONRC's 2024 format.
stdnum also drops separators (hyphens, dots) before it checks; the portal stores the value as
normalised here, so it first insists that nothing but letters, digits (and a Reg. Com.'s
slashes) is left, and what passes is what is stored.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.ro import cui as stdnum_cui
from stdnum.ro import onrc as stdnum_onrc

from portal.normalize import normalize_identifier

REG_COM_CHARACTERS_RE = re.compile(r"[A-Z0-9/]+", re.ASCII)
IBAN_CHARACTERS_RE = re.compile(r"[A-Z0-9]+", re.ASCII)


def normalize_cui(value: str) -> str:
    """'ro 18547290' → 'RO18547290', 'ＲＯ１８５４７２９０' too: ASCII, upper case, no spaces.

    The RO prefix marks VAT payers."""
    return normalize_identifier(value)


def normalize_reg_com(value: str) -> str:
    return normalize_identifier(value)


def normalize_iban(value: str) -> str:
    return normalize_identifier(value)


def cui_digits(value: str) -> str:
    value = normalize_cui(value)
    return value[2:] if value.startswith("RO") else value


def cui_is_valid(value: str) -> bool:
    """2 to 10 digits, no leading zero, the check digit right; with or without RO.

    stdnum.ro.cui rather than stdnum.ro.cf: cf also accepts a person's CNP, which is no company's CUI."""
    digits = cui_digits(value)
    return digits.isascii() and digits.isdigit() and stdnum_cui.is_valid(digits)


def validate_cui(value: str) -> None:
    if not cui_is_valid(value):
        raise ValidationError(
            _("CUI-ul „%(value)s” nu este valid: verificați cifrele (cifra de control nu se potrivește)."),
            code="invalid_cui",
            params={"value": value},
        )


def reg_com_is_valid(value: str) -> bool:
    """J40/1234/2015 (county, number, year; until 2024) or J2015001234406 (2024 format, with a check digit)."""
    reg_com = normalize_reg_com(value)
    return bool(REG_COM_CHARACTERS_RE.fullmatch(reg_com)) and stdnum_onrc.is_valid(reg_com)


def validate_reg_com(value: str) -> None:
    if value and not reg_com_is_valid(value):
        raise ValidationError(
            _("Numărul de înregistrare trebuie să arate ca J40/1234/2015 (sau formatul nou, J2015001234406)."),
            code="invalid_reg_com",
        )


def iban_is_valid(value: str) -> bool:
    """Any country stdnum knows, with that country's length (24 for RO) and account format; mod-97 check."""
    iban = normalize_iban(value)
    return bool(IBAN_CHARACTERS_RE.fullmatch(iban)) and stdnum_iban.is_valid(iban)


def validate_iban(value: str) -> None:
    if value and not iban_is_valid(value):
        raise ValidationError(
            _("IBAN-ul „%(value)s” nu este valid: verificați literele și cifrele."),
            code="invalid_iban",
            params={"value": value},
        )
