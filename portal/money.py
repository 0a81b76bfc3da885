"""Currencies and Romanian VAT rates shared by offers, contracts and invoices."""

from django.db import models


class Currency(models.TextChoices):
    RON = "RON", "RON"
    EUR = "EUR", "EUR"


class VatRate(models.IntegerChoices):
    # Standard rate 21 % since 1 August 2025; reduced 11 %; 0 % (exempt with credit, exports).
    STANDARD = 21, "21%"
    REDUCED = 11, "11%"
    ZERO = 0, "0%"
