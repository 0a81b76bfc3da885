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


def test_vat_groups_add_the_lines_per_rate_highest_first():
    groups = vat_groups([(11, D("20.00")), (21, D("0.01")), (0, D("99.99")), (21, D("0.01"))])
    assert groups == (
        VatGroup(21, D("0.02"), D("0.00")),
        VatGroup(11, D("20.00"), D("2.20")),
        VatGroup(0, D("99.99"), D("0.00")),
    )
    assert groups[1].gross == D("22.20")
    assert vat_groups([]) == ()


def test_vat_is_rounded_once_per_rate_not_per_line():
    """EN 16931 BR-CO-17: two lines of 1,02 at 21 % have 0,21 VAT each when rounded per line (0,2142), but
    the group's VAT is 2,04 × 21 % = 0,4284 → 0,43: a ban more than the sum of the lines."""
    per_line = [line_amounts(quantity=D("1"), unit_price=D("1.02"), vat_rate=21) for _ in range(2)]
    assert sum(amounts.vat for amounts in per_line) == D("0.42")
    (group,) = vat_groups((21, amounts.net) for amounts in per_line)
    assert (group.net, group.vat) == (D("2.04"), D("0.43"))


def test_each_vat_category_is_its_own_group():
    groups = vat_groups([(0, D("100.00"), "E"), (21, D("10.00"), "S"), (0, D("50.00"), "Z"), (0, D("1.00"), "E")])
    assert [(g.category, g.rate, g.net) for g in groups] == [
        ("S", 21, D("10.00")),
        ("E", 0, D("101.00")),
        ("Z", 0, D("50.00")),
    ]
