"""Money shared by offers, contracts and invoices: currencies, Romanian VAT rates, rounding to the
cent and how an amount reads."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.formats import number_format

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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


class Currency(models.TextChoices):
    RON = "RON", "RON"
    EUR = "EUR", "EUR"


class VatRate(models.IntegerChoices):
    # Standard rate 21 % since 1 August 2025; reduced 11 %; 0 % (exempt with credit, exports).
    STANDARD = 21, "21%"
    REDUCED = 11, "11%"
    ZERO = 0, "0%"
