"""Romanian company identifiers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CUI_KEY = "753217532"
REG_COM_RE = re.compile(r"^[JFC]\d{1,2}/\d{1,6}/\d{4}$|^[JFC]\d{13}$")


def normalize_cui(value: str) -> str:
    """'ro 18547290' → 'RO18547290': upper case, no spaces; the RO prefix marks VAT payers."""
    return re.sub(r"\s+", "", value or "").upper()


def cui_digits(value: str) -> str:
    value = normalize_cui(value)
    return value[2:] if value.startswith("RO") else value


def cui_is_valid(value: str) -> bool:
    digits = cui_digits(value)
    if not digits.isdigit() or not 2 <= len(digits) <= 10 or digits[0] == "0":
        return False
    body, check = digits[:-1].rjust(9, "0"), int(digits[-1])
    total = sum(int(d) * int(k) for d, k in zip(body, CUI_KEY, strict=True))
    return (total * 10) % 11 % 10 == check


def validate_cui(value: str) -> None:
    if not cui_is_valid(value):
        raise ValidationError(
            _("CUI-ul „%(value)s” nu este valid: verificați cifrele (cifra de control nu se potrivește)."),
            code="invalid_cui", params={"value": value},
        )


def validate_reg_com(value: str) -> None:
    if value and not REG_COM_RE.match(value.replace(" ", "").upper()):
        raise ValidationError(
            _("Numărul de înregistrare trebuie să arate ca J40/1234/2015 (sau formatul nou, J2015001234400)."),
            code="invalid_reg_com",
        )
