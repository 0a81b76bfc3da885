"""Spreadsheet exports that cannot smuggle a formula into the client's Excel (CSV injection).

A spreadsheet program reads a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a formula:
a payment reference ``=HYPERLINK("http://…","Plătiți aici")`` in a statement of account becomes a live
link, and older DDE formulas can run commands. Tab and carriage return are neutralised too, as OWASP
advises: some programs skip them before reading the rest as a formula. Every export the portal writes
goes through ``csv_writer`` (or ``spreadsheet_safe`` for a single cell), which puts an apostrophe in
front of such a text cell: Excel and LibreOffice then show the text as written, and the apostrophe
tells whoever reads the raw file that the value was changed on purpose.

Only text is neutralised. Numbers (``Decimal``, ``int``, ``float``) are written by the writer itself
from the number, so they cannot carry a formula and stay numbers in the spreadsheet, negative ones
included. Pass amounts as numbers, never pre-formatted: the text ``"-1234,50"`` would become
``'-1234,50`` and the spreadsheet would no longer add it up. With ``decimal_comma=True`` a ``Decimal``
is written ``-1234,50`` (no thousands separator), which Excel with Romanian regional settings reads as
a number; round money to the cent before (``portal.money.cents``): the writer prints the digits it gets.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

# What makes a spreadsheet read a text cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """The text with an apostrophe in front if it would start a formula; anything else unchanged."""
    if isinstance(value, Promise):  # a lazy translation is text too
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _number_text(value: int | float | Decimal, decimal_comma: bool) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",") if decimal_comma else text


class SpreadsheetWriter:
    """``csv.writer`` whose cells go through ``spreadsheet_safe``; numbers written as numbers."""

    def __init__(self, stream, *, decimal_comma: bool = False, **fmtparams):
        self._writer = csv.writer(stream, **fmtparams)
        self.decimal_comma = decimal_comma

    def cell(self, value: Any) -> Any:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return _number_text(value, self.decimal_comma)
        return spreadsheet_safe(value)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([self.cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, *, decimal_comma: bool = False, **fmtparams) -> SpreadsheetWriter:
    """The only way the portal writes CSV: like ``csv.writer(stream, **fmtparams)``, formula-safe."""
    return SpreadsheetWriter(stream, decimal_comma=decimal_comma, **fmtparams)
