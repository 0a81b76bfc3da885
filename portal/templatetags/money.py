from django import template

from portal.money import format_file_size, format_money

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """``{{ invoice.balance|money:invoice.currency }}``: "50.430,70 lei" / "RON 50,430.70", the currency once."""
    return format_money(amount, currency)


@register.filter
def file_size(size) -> str:
    """``{{ file.size|file_size }}``: "1,5 MB" (ro) / "1.5 MB" (en), instead of filesizeformat's "MO"."""
    return format_file_size(size)
