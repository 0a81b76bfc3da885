"""The couriers used in Romania, plus the supplier's own transport (no tracking link): the demo data's
list. Migration 0002 seeded a frozen copy; staff keep the real ones in admin (Transportatori)."""

CARRIERS = [
    ("FAN Courier", "fan-courier", "https://www.fancourier.ro/awb-tracking/?tracking={awb}"),
    ("Cargus", "cargus", "https://www.cargus.ro/find-shipment-romanian/?trackingReference={awb}"),
    ("Sameday", "sameday", "https://sameday.ro/#awb={awb}"),
    ("DPD România", "dpd", "https://tracking.dpd.ro/?shipmentNumber={awb}&language=ro"),
    ("GLS România", "gls", "https://gls-group.com/RO/ro/urmarire-colet?match={awb}"),
    ("Transport propriu", "transport-propriu", ""),
]
