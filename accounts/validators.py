"""Romanian company identifiers: normalised (portal.normalize) before any check, then ASCII only."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.normalize import normalize_identifier

CUI_KEY = "753217532"
CUI_DIGITS_RE = re.compile(r"[1-9][0-9]{1,9}", re.ASCII)
REG_COM_RE = re.compile(r"^[JFC][0-9]{1,2}/[0-9]{1,6}/[0-9]{4}$|^[JFC][0-9]{13}$", re.ASCII)
IBAN_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", re.ASCII)
IBAN_LENGTHS = {"RO": 24}


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
    digits = cui_digits(value)
    if not CUI_DIGITS_RE.fullmatch(digits):
        return False
    body, check = digits[:-1].rjust(9, "0"), int(digits[-1])
    total = sum(int(d) * int(k) for d, k in zip(body, CUI_KEY, strict=True))
    return (total * 10) % 11 % 10 == check


def validate_cui(value: str) -> None:
    if not cui_is_valid(value):
        raise ValidationError(
            _("CUI-ul „%(value)s” nu este valid: verificați cifrele (cifra de control nu se potrivește)."),
            code="invalid_cui",
            params={"value": value},
        )


def validate_reg_com(value: str) -> None:
    if value and not REG_COM_RE.match(normalize_reg_com(value)):
        raise ValidationError(
            _("Numărul de înregistrare trebuie să arate ca J40/1234/2015 (sau formatul nou, J2015001234400)."),
            code="invalid_reg_com",
        )


def iban_is_valid(value: str) -> bool:
    """ISO 13616: country, check digits, account; the mod-97 check of the rearranged number is 1."""
    iban = normalize_iban(value)
    if not IBAN_RE.fullmatch(iban) or len(iban) != IBAN_LENGTHS.get(iban[:2], len(iban)):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def validate_iban(value: str) -> None:
    if value and not iban_is_valid(value):
        raise ValidationError(
            _("IBAN-ul „%(value)s” nu este valid: verificați literele și cifrele."),
            code="invalid_iban",
            params={"value": value},
        )
