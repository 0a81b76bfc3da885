from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def quantity(value) -> str:
    """A quantity with as many decimals as it needs, Romanian style: 2, 12,5, 1.250,75."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    text = format(number, "f")
    places = len(text.rstrip("0").split(".")[1]) if "." in text.rstrip("0") else 0
    return floatformat(number, f"{places}g")
