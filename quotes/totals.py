"""Offer totals in Decimal: each line's value rounded to 0.01 (ROUND_HALF_UP), VAT once per rate.

The offer page, the PDF and the stored totals all come from ``offer_totals``, so they agree; a line's
amounts and the VAT groups are portal.money's, the same arithmetic as an invoice's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from portal.money import ZERO, VatGroup, line_amounts, vat_groups


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
    amounts = []
    for line in lines:
        net, _vat = line_amounts(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_rate=line.vat_rate,
        )
        amounts.append((line.vat_rate, net))
    by_rate = vat_groups(amounts)
    return Totals(net=sum((g.net for g in by_rate), ZERO), vat=sum((g.vat for g in by_rate), ZERO), by_rate=by_rate)
