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
