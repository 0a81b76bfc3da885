"""Money shared by offers, contracts and invoices: currencies, Romanian VAT rates, rounding to the
cent, a line's amounts, the VAT groups of a document's lines and how an amount reads.

A line's value without VAT is rounded to 0,01 (half up) on its own. VAT is rounded once per VAT
category and rate, on the sum of those lines' values (EN 16931 BR-CO-17, as e-Factura checks it): a
document's VAT is the sum of its groups, which can differ by a ban from the sum of the VAT shown on each
line. The page, the PDF, the XML and the stored totals all read the groups, so they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import models
from django.utils import translation
from django.utils.formats import number_format

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value) -> Decimal:
    """Rounded to 0,01 half up, as Romanian invoices are; None (an empty SQL sum) is zero. Also turns
    SQLite's sums of decimals, which carry stray digits, back into money."""
    return ZERO if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value) -> str:
    """1234.5 → "1.234,50" in Romanian (what ``|floatformat:"2g"`` shows): the bare number, for a table
    column whose header names the currency. With the currency beside it, use ``format_money``."""
    if value is None:
        return ""
    return number_format(cents(value), 2, force_grouping=True)


def format_money(amount, currency: str) -> str:
    """An amount with its currency once, in the active language: "50.430,70 lei" / "1.234,50 EUR" in
    Romanian, "RON 50,430.70" / "EUR 1,234.50" in English. None (no amount) is "".

    English puts the ISO code first, as CLDR's English pattern does for a currency without an English symbol
    (and as English-language invoices and bank statements write RON); Romanian writes the amount first and
    the leu as "lei", the way Romanians read it. The sign goes first in both: "-RON 12.00", "-12,00 lei".
    """
    if amount is None:
        return ""
    value = cents(amount)
    digits = number_format(abs(value), 2, force_grouping=True)
    sign = "-" if value < 0 else ""
    if (translation.get_language() or "").startswith("en"):
        return f"{sign}{currency} {digits}"
    return f"{sign}{digits} {'lei' if currency == Currency.RON else currency}"


def money_column(field: str, description, *, currency: str = "currency", ordering: str | None = None):
    """An admin list column showing ``obj.<field>`` with its currency once (``obj.<currency>``, a dotted path
    for a related object's), sortable by the field: ``list_display = (money_column("total_gross", _("total")),)``.
    """

    def column(obj) -> str:
        owner = obj
        for name in currency.split("."):
            owner = getattr(owner, name)
        return format_money(getattr(obj, field), owner)

    column.short_description = description
    column.admin_order_field = ordering or field
    column.__name__ = f"{field}_money"
    return column


_FILE_SIZE_UNITS = ("KB", "MB", "GB")


def format_file_size(size) -> str:
    """Bytes as people read them, in the active language's decimal mark: "850 B", "12 KB", "1,5 MB" (ro),
    "1.5 MB" (en). Django's filesizeformat writes "KO"/"MO" in Romanian, which Romanian users do not."""
    if size is None:
        return ""
    value = Decimal(size)
    if value < 1024:
        return f"{number_format(value, 0)} B"
    for unit in _FILE_SIZE_UNITS:
        value /= 1024
        if value < 1024 or unit == _FILE_SIZE_UNITS[-1]:
            break
    # One decimal below 10 (1,5 MB), none above (120 KB) nor when it is 0 (2 MB, not 2,0 MB).
    value = value.quantize(Decimal("0.1") if value < 10 else Decimal(1), rounding=ROUND_HALF_UP)
    places = 0 if value == value.to_integral_value() else 1
    return f"{number_format(value, places)} {unit}"


class LineAmounts(NamedTuple):
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, vat_rate: int, discount_percent: Decimal | None = None
) -> LineAmounts:
    """Net = quantity × price × (1 − discount), rounded; VAT = net × rate, rounded (half up, away from
    zero for a credit note's negative quantities). Invoice lines have no discount."""
    net = Decimal(quantity) * Decimal(unit_price)
    if discount_percent is not None:
        net = net * (HUNDRED - Decimal(discount_percent)) / HUNDRED
    net = cents(net)
    return LineAmounts(net=net, vat=cents(net * Decimal(vat_rate) / HUNDRED))


@dataclass(frozen=True)
class VatGroup:
    rate: int
    net: Decimal
    vat: Decimal
    category: str = ""  # the EN 16931 VAT category, where the document has them (invoices)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def vat_groups(amounts: Iterable[tuple]) -> tuple[VatGroup, ...]:
    """Net and VAT per ``(rate, net)`` or ``(rate, net, category)`` of the lines, the highest rate first,
    each group's VAT rounded once on its net."""
    nets: dict[tuple[int, str], Decimal] = {}
    for rate, net, *category in amounts:
        key = (int(rate), category[0] if category else "")
        nets[key] = nets.get(key, ZERO) + net
    return tuple(
        VatGroup(rate=rate, net=net, vat=cents(net * Decimal(rate) / HUNDRED), category=category)
        for (rate, category), net in sorted(nets.items(), key=lambda item: (-item[0][0], item[0][1]))
    )


class Currency(models.TextChoices):
    RON = "RON", "RON"
    EUR = "EUR", "EUR"


class VatRate(models.IntegerChoices):
    # Standard rate 21 % since 1 August 2025; reduced 11 %; 0 % (exempt with credit, exports).
    STANDARD = 21, "21%"
    REDUCED = 11, "11%"
    ZERO = 0, "0%"
