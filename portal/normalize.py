"""What people type, made comparable before anything checks or matches it.

A CUI pasted from a PDF or typed with a Japanese or Arabic keyboard can hold full-width characters
(``ＲＯ４２１５８７３２``), digits of another script (``٤٢١٥٨٧٣٢``), no-break or thin spaces and
invisible format characters. ``str.isdigit()``, ``int()`` and ``Decimal()`` accept such digits, so
without this a full-width CUI passed the check digit, missed the company stored in ASCII and
created a second one.

The rule, for every identifier (CUI, Nr. Reg. Com., IBAN) and every amount typed in a form or
read by an importer: NFKC (full-width → ASCII, no-break space → space), every decimal digit of
any script → its ASCII digit, format characters (zero-width space, soft hyphen, BOM) removed;
then the validators accept ASCII only, so whatever else is left is refused.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def ascii_digits(value: str | None) -> str:
    """NFKC, digits of any script as ASCII digits, invisible format characters removed."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    out = []
    for char in text:
        if char.isdecimal() and not "0" <= char <= "9":
            out.append(str(unicodedata.decimal(char)))
        elif unicodedata.category(char) != "Cf":
            out.append(char)
    return "".join(out)


def normalize_identifier(value: str | None) -> str:
    """A CUI, Nr. Reg. Com. or IBAN: ASCII digits, no spaces of any kind, upper case ('ro' → 'RO')."""
    return _SPACES.sub("", ascii_digits(value)).upper()


def normalize_number(value: str | None) -> str:
    """An amount or quantity as typed: ASCII digits, no spaces (a no-break space between thousands)."""
    return _SPACES.sub("", ascii_digits(value))
