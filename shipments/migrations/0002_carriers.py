"""The couriers used in Romania, plus the supplier's own transport (no tracking link).

Staff keep them up to date in admin (Transportatori); the links open the carrier's public tracking page.
"""

from django.db import migrations

from shipments.migrations import CARRIERS


def add_carriers(apps, schema_editor):
    Carrier = apps.get_model("shipments", "Carrier")
    for name, code, pattern in CARRIERS:
        Carrier.objects.get_or_create(code=code, defaults={"name": name, "tracking_url_pattern": pattern})


class Migration(migrations.Migration):
    dependencies = [("shipments", "0001_initial")]

    operations = [migrations.RunPython(add_carriers, migrations.RunPython.noop)]
