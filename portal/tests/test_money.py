"""portal.money: one line's amounts and the VAT groups, shared by offers and invoices; how an amount and a
file size read in each language."""

from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.money import VatGroup, format_file_size, format_money, line_amounts, vat_groups


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


@pytest.mark.parametrize(
    ("amount", "currency", "ro", "en"),
    [
        (D("50430.70"), "RON", "50.430,70 lei", "RON 50,430.70"),
        (D("1234.5"), "EUR", "1.234,50 EUR", "EUR 1,234.50"),
        (D("-7647.2"), "RON", "-7.647,20 lei", "-RON 7,647.20"),  # a credit note: the sign first
        (D("0"), "RON", "0,00 lei", "RON 0.00"),
        (D("0.005"), "RON", "0,01 lei", "RON 0.01"),  # half up, as the invoices round
        (D("-0.005"), "EUR", "-0,01 EUR", "-EUR 0.01"),
        ("1234567890.125", "RON", "1.234.567.890,13 lei", "RON 1,234,567,890.13"),
        (12, "EUR", "12,00 EUR", "EUR 12.00"),
        (None, "RON", "", ""),
    ],
)
def test_format_money_writes_the_currency_once_in_the_active_language(amount, currency, ro, en):
    with translation.override("ro"):
        assert format_money(amount, currency) == ro
    with translation.override("en"):
        assert format_money(amount, currency) == en


@pytest.mark.parametrize(
    ("size", "ro", "en"),
    [
        (0, "0 B", "0 B"),
        (850, "850 B", "850 B"),
        (1024, "1 KB", "1 KB"),
        (1536, "1,5 KB", "1.5 KB"),
        (250 * 1024, "250 KB", "250 KB"),
        (20 * 1024 * 1024, "20 MB", "20 MB"),
        (int(9.96 * 1024 * 1024), "10 MB", "10 MB"),
        (3 * 1024**3 // 2, "1,5 GB", "1.5 GB"),
        (None, "", ""),
    ],
)
def test_format_file_size_says_kb_and_mb_in_both_languages(size, ro, en):
    with translation.override("ro"):
        assert format_file_size(size) == ro
    with translation.override("en"):
        assert format_file_size(size) == en


def test_the_template_filters_read_the_active_language():
    template = Template("{% load money %}{{ amount|money:currency }} · {{ size|file_size }}")
    context = Context({"amount": D("50430.7"), "currency": "RON", "size": 1536})
    with translation.override("ro"):
        assert template.render(context) == "50.430,70 lei · 1,5 KB"
    with translation.override("en"):
        assert template.render(context) == "RON 50,430.70 · 1.5 KB"
