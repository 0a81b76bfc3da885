"""The couriers used in Romania, plus the supplier's own transport (no tracking link).

Staff keep them up to date in admin (Transportatori); the links open the carrier's public tracking page.
"""

from django.db import migrations

# Frozen here: a migration must not change when app code does (shipments/carriers.py is the live list).
CARRIERS = [
    ("FAN Courier", "fan-courier", "https://www.fancourier.ro/awb-tracking/?tracking={awb}"),
    ("Cargus", "cargus", "https://www.cargus.ro/find-shipment-romanian/?trackingReference={awb}"),
    ("Sameday", "sameday", "https://sameday.ro/#awb={awb}"),
    ("DPD România", "dpd", "https://tracking.dpd.ro/?shipmentNumber={awb}&language=ro"),
    ("GLS România", "gls", "https://gls-group.com/RO/ro/urmarire-colet?match={awb}"),
    ("Transport propriu", "transport-propriu", ""),
]


def add_carriers(apps, schema_editor):
    Carrier = apps.get_model("shipments", "Carrier")
    for name, code, pattern in CARRIERS:
        Carrier.objects.get_or_create(code=code, defaults={"name": name, "tracking_url_pattern": pattern})


class Migration(migrations.Migration):
    dependencies = [("shipments", "0001_initial")]

    operations = [migrations.RunPython(add_carriers, migrations.RunPython.noop)]
