"""Offer arithmetic in Decimal: each line rounded to 0.01 (ROUND_HALF_UP), totals are sums of lines.

The offer page, the PDF and the stored totals all come from these two functions, so they agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from portal.money import ZERO, cents

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def line_amounts(*, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, vat_rate: int) -> LineAmounts:
    """Net = quantity × price × (1 − discount), rounded; VAT = net × rate, rounded."""
    net = cents(Decimal(quantity) * Decimal(unit_price) * (HUNDRED - Decimal(discount_percent)) / HUNDRED)
    vat = cents(net * Decimal(vat_rate) / HUNDRED)
    return LineAmounts(net=net, vat=vat)


@dataclass(frozen=True)
class VatGroup:
    rate: int
    net: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal = ZERO
    vat: Decimal = ZERO
    by_rate: tuple[VatGroup, ...] = field(default_factory=tuple)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def offer_totals(lines: Iterable) -> Totals:
    """Totals of lines that have ``quantity``, ``unit_price``, ``discount_percent`` and ``vat_rate``."""
    groups: dict[int, list[Decimal]] = {}
    for line in lines:
        amounts = line_amounts(quantity=line.quantity, unit_price=line.unit_price,
                               discount_percent=line.discount_percent, vat_rate=line.vat_rate)
        group = groups.setdefault(int(line.vat_rate), [ZERO, ZERO])
        group[0] += amounts.net
        group[1] += amounts.vat
    by_rate = tuple(VatGroup(rate, net, vat) for rate, (net, vat) in sorted(groups.items(), reverse=True))
    return Totals(net=sum((g.net for g in by_rate), ZERO), vat=sum((g.vat for g in by_rate), ZERO), by_rate=by_rate)
