"""portal.exports: text that would start a formula is neutralised; numbers stay numbers."""

import io
from decimal import Decimal

import pytest
from django.utils.functional import lazystr

from portal.exports import csv_writer, spreadsheet_safe


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+40 21 555 0100", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"],
)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["", "Agroserv SRL", "OP 123 = avans", " =1+1", "'=1", "Factură TST-0001", "1234,50", "02.03.2026"]
)
def test_other_text_is_left_alone(text):
    assert spreadsheet_safe(text) == text


@pytest.mark.parametrize("value", [None, 0, -5, 12, -1.5, Decimal("-1234.50"), Decimal("0.00"), True])
def test_numbers_and_none_are_left_alone(value):
    assert spreadsheet_safe(value) is value


def test_a_lazy_translation_is_text():
    assert spreadsheet_safe(lazystr("=ceva")) == "'=ceva"


def test_the_writer_neutralises_text_and_writes_numbers_as_numbers():
    buffer = io.StringIO()
    writer = csv_writer(buffer, decimal_comma=True, delimiter=";", lineterminator="\n")
    writer.writerow(["=1+1", "@firma", "-10", Decimal("-1234.50"), Decimal("7.00"), -3, None, "text"])
    writer.writerows([["+x"], [Decimal("0.5")]])
    assert buffer.getvalue() == "'=1+1;'@firma;'-10;-1234,50;7,00;-3;;text\n'+x\n0,5\n"


def test_the_writer_keeps_a_decimal_point_unless_asked():
    buffer = io.StringIO()
    csv_writer(buffer, lineterminator="\n").writerow([Decimal("-1.25"), 2.5])
    assert buffer.getvalue() == "-1.25,2.5\n"
