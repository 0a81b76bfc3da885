from decimal import Decimal
from types import SimpleNamespace

from portal.money import line_amounts
from quotes.totals import offer_totals


def line(quantity, price, discount="0", vat=21):
    return SimpleNamespace(
        quantity=Decimal(quantity), unit_price=Decimal(price), discount_percent=Decimal(discount), vat_rate=vat
    )


def test_each_line_is_rounded_half_up_to_the_cent():
    # 3 × 0.335 = 1.005 → 1.01 (half up; binary floats would give 1.00)
    amounts = line_amounts(
        quantity=Decimal("3"), unit_price=Decimal("0.335"), discount_percent=Decimal("0"), vat_rate=21
    )
    assert amounts.net == Decimal("1.01")
    assert amounts.vat == Decimal("0.21")  # 0.2121
    assert amounts.gross == Decimal("1.22")


def test_discount_then_vat():
    amounts = line_amounts(
        quantity=Decimal("7"), unit_price=Decimal("123.45"), discount_percent=Decimal("12.5"), vat_rate=21
    )
    assert amounts.net == Decimal("756.13")  # 864.15 × 0.875 = 756.13125
    assert amounts.vat == Decimal("158.79")  # 158.787...


def test_totals_are_sums_of_rounded_lines_grouped_by_vat_rate():
    lines = [line("1", "0.005"), line("1", "0.005"), line("2", "10.00", vat=11), line("1", "99.99", vat=0)]
    totals = offer_totals(lines)
    # each 0.005 line rounds to 0.01 on its own: the total is 0.02, not round(0.010) = 0.01
    assert [(g.rate, g.net, g.vat) for g in totals.by_rate] == [
        (21, Decimal("0.02"), Decimal("0.00")),
        (11, Decimal("20.00"), Decimal("2.20")),
        (0, Decimal("99.99"), Decimal("0.00")),
    ]
    assert totals.net == Decimal("120.01")
    assert totals.vat == Decimal("2.20")
    assert totals.gross == Decimal("122.21")


def test_full_discount_and_no_lines():
    assert line_amounts(
        quantity=Decimal("5"), unit_price=Decimal("10"), discount_percent=Decimal("100"), vat_rate=21
    ).gross == Decimal("0.00")
    assert offer_totals([]).gross == Decimal("0.00")
