"""The audit entries of payments and payment notices name their amount as the models now write it
("OP-12 · 03.12.2026 · 7.647,20 lei"), not as a raw decimal ("... · 7647.20 RON"): the activity feed and
the admin show these names as they were stored."""

import re
from decimal import Decimal

from django.db import migrations
from django.utils import translation

RAW_AMOUNT = re.compile(r"(?P<amount>-?\d+\.\d{2}) (?P<currency>[A-Z]{3})$")
OBJECT_TYPES = ("billing.payment", "billing.paymentnotice")


def format_stored_amounts(apps, schema_editor):
    from portal.money import format_money

    AuditEntry = apps.get_model("portal", "AuditEntry")
    changed = []
    with translation.override("ro"):  # the language the portal's records are kept in
        for entry in AuditEntry.objects.filter(object_type__in=OBJECT_TYPES).only("id", "object_repr").iterator():
            repr_text = _formatted(entry.object_repr, format_money)
            if repr_text != entry.object_repr:
                entry.object_repr = repr_text
                changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["object_repr"], batch_size=500)


def _formatted(text: str, format_money) -> str:
    match = RAW_AMOUNT.search(text)
    if not match:
        return text
    money = format_money(Decimal(match["amount"]), match["currency"])
    return (text[: match.start()] + money)[:200]


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_statement_export"),
        ("portal", "0006_search_fold"),
    ]

    operations = [migrations.RunPython(format_stored_amounts, migrations.RunPython.noop)]
