"""portal.money: one line's amounts and the VAT groups, shared by offers and invoices."""

from decimal import Decimal as D

import pytest

from portal.money import VatGroup, line_amounts, vat_groups


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "rate", "net", "vat"),
    [
        ("3", "0.335", None, 21, "1.01", "0.21"),  # 1.005 → 1.01, half up
        ("1", "0.50", None, 21, "0.50", "0.11"),  # 0.105 → 0.11, not to even
        ("-1", "0.50", None, 21, "-0.50", "-0.11"),  # storno: away from zero
        ("7", "123.45", "12.5", 21, "756.13", "158.79"),  # 756.13125; 158.787...
        ("5", "10", "100", 21, "0.00", "0.00"),
        ("2", "10.00", "0", 11, "20.00", "2.20"),
    ],
)
def test_line_amounts_round_each_line_half_up(quantity, price, discount, rate, net, vat):
    amounts = line_amounts(
        quantity=D(quantity),
        unit_price=D(price),
        vat_rate=rate,
        discount_percent=None if discount is None else D(discount),
    )
    assert amounts == (D(net), D(vat))
    assert amounts.gross == D(net) + D(vat)


def test_vat_groups_add_rounded_lines_per_rate_highest_first():
    groups = vat_groups(
        [
            (11, D("20.00"), D("2.20")),
            (21, D("0.01"), D("0.00")),
            (0, D("99.99"), D("0.00")),
            (21, D("0.01"), D("0.00")),
        ]
    )
    assert groups == (
        VatGroup(21, D("0.02"), D("0.00")),
        VatGroup(11, D("20.00"), D("2.20")),
        VatGroup(0, D("99.99"), D("0.00")),
    )
    assert groups[1].gross == D("22.20")
    assert vat_groups([]) == ()
