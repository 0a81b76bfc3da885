"""Money shared by offers, contracts and invoices: currencies, Romanian VAT rates, rounding to the
cent, a line's amounts, the VAT groups of a document's lines and how an amount reads.

Each line is rounded to 0,01 (half up) on its own, value without VAT first and then its VAT; a
document's totals and its VAT groups are sums of its rounded lines, so the page, the PDF and the
stored totals agree to the ban.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import models
from django.utils.formats import number_format

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value) -> Decimal:
    """Rounded to 0,01 half up, as Romanian invoices are; None (an empty SQL sum) is zero. Also turns
    SQLite's sums of decimals, which carry stray digits, back into money."""
    return ZERO if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value, currency: str = "") -> str:
    """1234.5 → "1.234,50" in Romanian (what ``|floatformat:"2g"`` shows), followed by the currency if given."""
    if value is None:
        return ""
    text = number_format(cents(value), 2, force_grouping=True)
    return f"{text} {currency}" if currency else text


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

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def vat_groups(amounts: Iterable[tuple[int, Decimal, Decimal]]) -> tuple[VatGroup, ...]:
    """Net and VAT per rate, the highest rate first, from lines' rounded ``(rate, net, vat)``."""
    groups: dict[int, list[Decimal]] = {}
    for rate, net, vat in amounts:
        group = groups.setdefault(int(rate), [ZERO, ZERO])
        group[0] += net
        group[1] += vat
    return tuple(VatGroup(rate, net, vat) for rate, (net, vat) in sorted(groups.items(), reverse=True))


class Currency(models.TextChoices):
    RON = "RON", "RON"
    EUR = "EUR", "EUR"


class VatRate(models.IntegerChoices):
    # Standard rate 21 % since 1 August 2025; reduced 11 %; 0 % (exempt with credit, exports).
    STANDARD = 21, "21%"
    REDUCED = 11, "11%"
    ZERO = 0, "0%"
