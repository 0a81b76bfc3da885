"""The VAT rate table across the change of 1 August 2025 (Legea 141/2025) and the line check per category."""

from datetime import date
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError

from portal.vat import RATE_PERIODS, VatCategory, check_line, period_on, rates_on

LAST_DAY_OF_19 = date(2025, 7, 31)
FIRST_DAY_OF_21 = date(2025, 8, 1)


def test_the_rates_change_overnight_on_1_august_2025():
    assert rates_on(LAST_DAY_OF_19) == (19, 9, 5)
    assert rates_on(FIRST_DAY_OF_21) == (21, 11)
    assert period_on(date(2026, 12, 3)).standard == 21


def test_a_tax_point_before_the_table_is_refused_not_a_crash():
    """An import or an admin form with a date from 2016 gets a clear message, never a 500."""
    with pytest.raises(ValidationError, match=r"nu cunoaște cotele TVA din 31\.12\.2016"):
        check_line(category=VatCategory.STANDARD, rate=20, tax_point=date(2016, 12, 31))


def test_the_periods_leave_no_gap_and_do_not_overlap():
    for earlier, later in pairwise(RATE_PERIODS):
        assert (later.start - earlier.end).days == 1
    assert RATE_PERIODS[-1].end is None


@pytest.mark.parametrize(
    ("rate", "tax_point", "allowed"),
    [
        (19, LAST_DAY_OF_19, True),
        (5, LAST_DAY_OF_19, True),
        (21, LAST_DAY_OF_19, False),
        (19, FIRST_DAY_OF_21, False),
        (9, FIRST_DAY_OF_21, False),
        (21, FIRST_DAY_OF_21, True),
        (11, FIRST_DAY_OF_21, True),
    ],
)
def test_a_standard_line_takes_the_rates_in_force_on_its_tax_point(rate, tax_point, allowed):
    if allowed:
        check_line(category=VatCategory.STANDARD, rate=rate, tax_point=tax_point)
    else:
        with pytest.raises(ValidationError, match="nu era în vigoare"):
            check_line(category=VatCategory.STANDARD, rate=rate, tax_point=tax_point)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"category": "S", "rate": None}, "Cota TVA lipsește"),
        ({"category": "X", "rate": 0}, "Categorie TVA necunoscută"),
        ({"category": "S", "rate": 0}, "nu era în vigoare"),
        ({"category": "S", "rate": 21, "reason": "scutit"}, "nu are motiv de scutire"),
        ({"category": "E", "rate": 21, "reason": "art. 292"}, "cota 0%"),
        ({"category": "E", "rate": 0}, "cere motivul scutirii"),
        ({"category": "AE", "rate": 0}, "cere motivul scutirii"),
        ({"category": "K", "rate": 0}, "cere motivul scutirii"),
        ({"category": "O", "rate": 0}, "cere motivul scutirii"),
        ({"category": "Z", "rate": 0, "reason_code": "VATEX-EU-132"}, "Cota zero nu are motiv"),
    ],
)
def test_a_line_that_does_not_fit_its_category_is_refused(line, message):
    with pytest.raises(ValidationError, match=message):
        check_line(tax_point=FIRST_DAY_OF_21, **line)


@pytest.mark.parametrize(
    "line",
    [
        {"category": "Z", "rate": 0},
        {"category": "E", "rate": 0, "reason": "Scutit conform art. 292 alin. (2) lit. a) Codul fiscal"},
        {"category": "AE", "rate": 0, "reason_code": "VATEX-EU-AE"},
        {"category": "K", "rate": 0, "reason_code": "VATEX-EU-IC"},
        {"category": "O", "rate": 0, "reason_code": "VATEX-EU-O"},
    ],
)
def test_lines_without_vat_that_say_why_are_accepted(line):
    check_line(tax_point=FIRST_DAY_OF_21, **line)
