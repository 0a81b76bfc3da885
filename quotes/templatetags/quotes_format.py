from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def quantity(value) -> str:
    """2.500 → "2,5"; 1500.000 → "1.500": a quantity without trailing zeros, Romanian style."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
