"""Migrations of shipments; the couriers seeded by 0002 are listed here for demo data to reuse."""

CARRIERS = [
    ("FAN Courier", "fan-courier", "https://www.fancourier.ro/awb-tracking/?tracking={awb}"),
    ("Cargus", "cargus", "https://www.cargus.ro/find-shipment-romanian/?trackingReference={awb}"),
    ("Sameday", "sameday", "https://sameday.ro/#awb={awb}"),
    ("DPD România", "dpd", "https://tracking.dpd.ro/?shipmentNumber={awb}&language=ro"),
    ("GLS România", "gls", "https://gls-group.com/RO/ro/urmarire-colet?match={awb}"),
    ("Transport propriu", "transport-propriu", ""),
]
