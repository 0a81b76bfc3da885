"""Demo shipments in every status, with Romanian delivery addresses, couriers, AWBs and tracking events;
delivery notes ("aviz de însoțire") and proofs of delivery as documents; receipts confirmed, a failed
delivery reported to support, and a damaged parcel reported to support, then received with objections.

Idempotent: a shipment is found by its number and refreshed; its events are recreated relative to now
(emails and notifications are keyed, so nobody is told twice); documents are added once.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from files.models import Document
from files.services import document_create
from portal.pdf import render_pdf
from shipments import services
from shipments.carriers import CARRIERS
from shipments.models import LEFT, Carrier, Shipment, ShipmentItem, Status, TrackingEvent

S = Status

SITES = {
    "ploiesti": {
        "delivery_address": "Str. Găgeni nr. 100, punct de lucru Hala 3",
        "delivery_city": "Ploiești",
        "delivery_county": "Prahova",
        "contact_name": "Ion Vasile",
        "contact_phone": "0724 318 552",
    },
    "fundulea": {
        "delivery_address": "DN3 km 32, Ferma Zootehnică",
        "delivery_city": "Fundulea",
        "delivery_county": "Călărași",
        "contact_name": "Gheorghe Neagu",
        "contact_phone": "0745 902 117",
    },
    "bucuresti": {
        "delivery_address": "Str. Fabricii nr. 12, corp B, rampa 2",
        "delivery_city": "București",
        "delivery_county": "Sector 6",
        "contact_name": "Mihai Ionescu",
        "contact_phone": "0733 234 567",
    },
    "cluj": {
        "delivery_address": "Calea Turzii nr. 178, poarta 2",
        "delivery_city": "Cluj-Napoca",
        "delivery_county": "Cluj",
        "contact_name": "Radu Stan",
        "contact_phone": "0766 567 890",
    },
    "turda": {
        "delivery_address": "Str. Fabricii nr. 48, depozit materii prime",
        "delivery_city": "Turda",
        "delivery_county": "Cluj",
        "contact_name": "Sorin Pop",
        "contact_phone": "0752 440 861",
    },
}

PUMPS = [
    ("Pompă centrifugală CP-200", "CP-200", "2", "buc."),
    ("Set garnituri mecanice GM-45", "GM-45", "6", "buc."),
    ("Flanșă oarbă DN 150", "FO-150", "4", "buc."),
]
SPARES = [
    ("Rulment 6310-2Z", "RUL-6310", "8", "buc."),
    ("Cuplaj elastic CE-42", "CE-42", "2", "buc."),
    ("Ulei hidraulic HLP 46", "HLP46-20", "40", "l"),
]
PANEL = [
    ("Tablou electric de automatizare TA-3", "TA-3", "1", "buc."),
    ("Cablu de forță CYY-F 4×10 mm²", "CYY-4X10", "85.5", "m"),
    ("Senzor de presiune 0–16 bar", "SP-16", "3", "buc."),
]
FILTERS = [("Cartuș filtrant 10 µm", "CF-10", "24", "buc."), ("Carcasă filtru inox DN 50", "CFX-50", "2", "buc.")]
PIPES = [
    ("Țeavă PEHD PE100 DN 110", "PEHD-110", "120", "m"),
    ("Vană fluture DN 100", "VF-100", "6", "buc."),
    ("Manșon electrofuziune DN 110", "ME-110", "18", "buc."),
]

HUB = {
    "fan-courier": "Hub FAN Courier Ștefăneștii de Jos, Ilfov",
    "cargus": "Hub Cargus Chiajna, Ilfov",
    "sameday": "Hub Sameday Ștefăneștii de Jos, Ilfov",
    "dpd": "Hub DPD Mogoșoaia, Ilfov",
    "gls": "Hub GLS Sibiu",
    "transport-propriu": "Depozit furnizor, Chiajna",
}
DEPOT = "Depozit furnizor, Chiajna, Ilfov"


def agroserv_specs():
    # (number, status, carrier, awb, site, items, packages, kg, planned ship/delivery in days, events)
    # events: (hours ago, status, place, note)
    return [
        {
            "number": "EXP-2026-0148",
            "carrier": "dpd",
            "awb": "",
            "site": "ploiesti",
            "items": PUMPS,
            "packages": 3,
            "kg": "468.00",
            "ship": 3,
            "deliver": 5,
            "events": [],
        },
        {
            "number": "EXP-2026-0147",
            "carrier": "cargus",
            "awb": "1147852369",
            "site": "fundulea",
            "items": SPARES,
            "packages": 2,
            "kg": "61.40",
            "ship": 1,
            "deliver": 2,
            "events": [(3, S.READY, DEPOT, "Colete ambalate și etichetate, așteaptă ridicarea de către curier.")],
        },
        {
            "number": "EXP-2026-0146",
            "carrier": "fan-courier",
            "awb": "2150048716392",
            "site": "ploiesti",
            "items": FILTERS,
            "packages": 1,
            "kg": "18.70",
            "ship": 0,
            "deliver": 1,
            "events": [(26, S.READY, DEPOT, ""), (2, S.SHIPPED, DEPOT, "Predat curierului FAN Courier.")],
        },
        {
            "number": "EXP-2026-0145",
            "carrier": "sameday",
            "awb": "1SDY270418653",
            "site": "bucuresti",
            "items": PANEL,
            "packages": 4,
            "kg": "212.30",
            "ship": -2,
            "deliver": 1,
            "events": [
                (50, S.SHIPPED, DEPOT, ""),
                (40, S.IN_TRANSIT, "HUB", "Sosit în hub."),
                (7, S.IN_TRANSIT, "Depozit Sameday București Vest", "În depozitul de distribuție."),
            ],
        },
        {
            "number": "EXP-2026-0144",
            "carrier": "dpd",
            "awb": "80512345678901",
            "site": "ploiesti",
            "items": PIPES,
            "packages": 6,
            "kg": "342.00",
            "ship": -2,
            "deliver": 0,
            "events": [
                (52, S.SHIPPED, DEPOT, ""),
                (44, S.IN_TRANSIT, "HUB", ""),
                (20, S.IN_TRANSIT, "Depozit DPD Ploiești", ""),
                (1.5, S.OUT_FOR_DELIVERY, "Ploiești", "Curierul vă sună cu 30 de minute înainte."),
            ],
        },
        {
            "number": "EXP-2026-0143",
            "carrier": "gls",
            "awb": "60123456789",
            "site": "fundulea",
            "items": SPARES[:2],
            "packages": 1,
            "kg": "24.10",
            "ship": -3,
            "deliver": -1,
            "events": [
                (75, S.SHIPPED, DEPOT, ""),
                (60, S.IN_TRANSIT, "HUB", ""),
                (30, S.OUT_FOR_DELIVERY, "Fundulea", ""),
                (26, S.DELIVERED, "Fundulea, Călărași", "Predat lui Gheorghe Neagu."),
            ],
        },
        {
            "number": "EXP-2026-0141",
            "carrier": "fan-courier",
            "awb": "2150048512077",
            "site": "ploiesti",
            "items": PUMPS[:2],
            "packages": 2,
            "kg": "392.00",
            "ship": -9,
            "deliver": -7,
            "received": True,
            "events": [
                (220, S.SHIPPED, DEPOT, ""),
                (205, S.IN_TRANSIT, "HUB", ""),
                (175, S.OUT_FOR_DELIVERY, "Ploiești", ""),
                (171, S.DELIVERED, "Ploiești, Prahova", "Semnat de Ion Vasile."),
            ],
        },
        {
            "number": "EXP-2026-0140",
            "carrier": "cargus",
            "awb": "1147790215",
            "site": "fundulea",
            "items": FILTERS,
            "packages": 2,
            "kg": "37.50",
            "ship": -4,
            "deliver": -2,
            "problem": "Curierul a venit vineri după ora 16, când depozitul era închis. Vă rugăm "
            "să reprogramați livrarea pentru luni, între 8:00 și 14:00; vă așteaptă "
            "Gheorghe Neagu la poarta fermei.",
            "events": [
                (96, S.SHIPPED, DEPOT, ""),
                (80, S.IN_TRANSIT, "HUB", ""),
                (32, S.OUT_FOR_DELIVERY, "Fundulea", ""),
                (27, S.FAILED, "Fundulea, Călărași", "Destinatar absent; livrarea se reprogramează."),
            ],
        },
        {
            "number": "EXP-2026-0139",
            "carrier": "sameday",
            "awb": "1SDY270377120",
            "site": "bucuresti",
            "items": PANEL[1:],
            "packages": 3,
            "kg": "96.40",
            "ship": -6,
            "deliver": -5,
            "problem": "La descărcare, unul dintre cele trei colete avea ambalajul rupt, iar senzorul de presiune "
            "SP-16 din el are carcasa fisurată (fotografiile le trimitem în tichet). Restul mărfii este în regulă. "
            "Vă rugăm să ne trimiteți un senzor de înlocuire.",
            "received": True,
            "pod": "Primit de: Mihai Ionescu, cu obiecțiuni consemnate pe aviz: un colet deteriorat.",
            "events": [
                (150, S.SHIPPED, DEPOT, ""),
                (138, S.IN_TRANSIT, "HUB", ""),
                (124, S.OUT_FOR_DELIVERY, "București", ""),
                (120, S.DELIVERED, "București, Sector 6", "Predat lui Mihai Ionescu; un colet cu ambalajul rupt."),
            ],
        },
        {
            "number": "EXP-2026-0138",
            "carrier": "transport-propriu",
            "awb": "",
            "site": "bucuresti",
            "items": PANEL[:1],
            "packages": 1,
            "kg": "145.00",
            "ship": -12,
            "deliver": -12,
            "received": True,
            "events": [
                (292, S.SHIPPED, DEPOT, "Camion furnizor B 123 FRN, șofer Costel Marin."),
                (288, S.DELIVERED, "București, Sector 6", "Descărcat la rampa 2."),
            ],
        },
        {
            "number": "EXP-2026-0135",
            "carrier": "fan-courier",
            "awb": "2150047309841",
            "site": "fundulea",
            "items": SPARES[2:],
            "packages": 2,
            "kg": "38.00",
            "ship": -20,
            "deliver": -18,
            "events": [
                (480, S.SHIPPED, DEPOT, ""),
                (460, S.IN_TRANSIT, "HUB", ""),
                (440, S.FAILED, "Fundulea, Călărași", "Adresă incompletă."),
                (416, S.FAILED, "Fundulea, Călărași", "Destinatar absent."),
                (360, S.RETURNED, DEPOT, "Returnat la expeditor după două încercări nereușite."),
            ],
        },
    ]


def termoplast_specs():
    return [
        {
            "number": "EXP-2026-0150",
            "carrier": "dpd",
            "awb": "80512345690013",
            "site": "cluj",
            "items": PIPES[1:],
            "packages": 3,
            "kg": "96.00",
            "ship": -1,
            "deliver": 1,
            "events": [
                (28, S.SHIPPED, DEPOT, ""),
                (16, S.IN_TRANSIT, "HUB", ""),
                (4, S.IN_TRANSIT, "Depozit DPD Cluj-Napoca", ""),
            ],
        },
        {
            "number": "EXP-2026-0149",
            "carrier": "transport-propriu",
            "awb": "",
            "site": "turda",
            "items": PUMPS,
            "packages": 3,
            "kg": "470.00",
            "ship": -6,
            "deliver": -5,
            "events": [
                (150, S.SHIPPED, DEPOT, "Camion furnizor B 456 FRN."),
                (128, S.DELIVERED, "Turda, Cluj", "Recepționat de Sorin Pop."),
            ],
        },
    ]


def demo_pdf(shipment: Shipment, title: str, number: str, issued, paragraphs=()) -> SimpleUploadedFile:
    content = render_pdf(
        "pdf/shipments_aviz.html",
        {
            "title": title,
            "number": number,
            "issued": issued,
            "shipment": shipment,
            "paragraphs": paragraphs,
            "items": list(shipment.items.all()),
            "supplier": settings.SUPPLIER,
        },
    )
    return SimpleUploadedFile(f"{title} {number}.pdf", content, content_type="application/pdf")


def _add_document(shipment: Shipment, staff, document_title: str, **pdf) -> None:
    if Document.objects.filter(company=shipment.company, title=document_title).exists():
        return
    document_create(
        company=shipment.company,
        title=document_title,
        user=staff,
        linked=shipment,
        category=Document.Category.DELIVERY,
        uploaded=demo_pdf(shipment, **pdf),
    )


def seed_shipment(company, spec: dict, *, carriers, staff, contract, project, now) -> Shipment:
    today = timezone.localdate(now)
    carrier = carriers[spec["carrier"]]
    shipment, _created = Shipment.objects.update_or_create(
        number=spec["number"],
        defaults={
            "company": company,
            "carrier": carrier,
            "awb": spec["awb"],
            **SITES[spec["site"]],
            "packages": spec["packages"],
            "weight_kg": Decimal(spec["kg"]),
            "contract": contract,
            "project": project,
            "planned_ship_date": today + timedelta(days=spec["ship"]),
            "planned_delivery_date": today + timedelta(days=spec["deliver"]),
            "notes": "Descărcare cu motostivuitorul clientului; rampa este deschisă între 8:00 și 16:00."
            if Decimal(spec["kg"]) > 300
            else "",
        },
    )
    ShipmentItem.objects.filter(shipment=shipment).delete()
    ShipmentItem.objects.bulk_create(
        [
            ShipmentItem(
                company=company,
                shipment=shipment,
                position=position,
                product=product,
                code=code,
                quantity=Decimal(quantity),
                unit=unit,
            )
            for position, (product, code, quantity, unit) in enumerate(spec["items"], start=1)
        ]
    )
    TrackingEvent.objects.filter(shipment=shipment).delete()
    for index, (hours, status, place, note) in enumerate(spec["events"], start=1):
        # What the courier's feed reports carries its event id; the supplier's own steps are staff's.
        from_carrier = status != S.READY and place != DEPOT and carrier.code != "transport-propriu"
        services.event_add(
            shipment=shipment,
            status=status,
            occurred_at=(now - timedelta(hours=hours)).replace(second=0, microsecond=0),
            place=HUB[carrier.code] if place == "HUB" else place,
            note=note,
            source=TrackingEvent.Source.IMPORT if from_carrier else TrackingEvent.Source.STAFF,
            external_id=f"{spec['awb']}-{index}" if from_carrier and spec["awb"] else "",
            by=None if from_carrier else staff,
        )
    services.shipment_refresh(shipment=shipment)
    shipment.refresh_from_db()
    return shipment


def seed(demo: dict) -> None:
    staff = demo["staff"]
    users = demo.get("users", {})
    # The couriers come with migration 0002; a flushed database (tests) gets them back here.
    for name, code, pattern in CARRIERS:
        Carrier.objects.get_or_create(code=code, defaults={"name": name, "tracking_url_pattern": pattern})
    carriers = {carrier.code: carrier for carrier in Carrier.objects.all()}
    now = timezone.now()
    contract_model = Shipment._meta.get_field("contract").related_model
    project_model = Shipment._meta.get_field("project").related_model
    companies = demo["companies"]
    for company, specs, receiver in (
        (companies[0], agroserv_specs(), "ana.popescu@agroserv.ro"),
        (companies[1], termoplast_specs(), "elena.dumitru@termoplast.ro"),
    ):
        contract = contract_model.objects.filter(company=company).exclude(status="draft").order_by("id").first()
        project = project_model.objects.filter(company=company).order_by("id").first()
        for index, spec in enumerate(specs):
            shipment = seed_shipment(
                company,
                spec,
                carriers=carriers,
                staff=staff,
                contract=contract,
                project=project if index % 3 == 1 else None,
                now=now,
            )
            if shipment.status in LEFT:
                _add_document(
                    shipment,
                    staff,
                    f"Aviz de însoțire {shipment.number}",
                    title="Aviz de însoțire",
                    number=shipment.number.replace("EXP", "AV"),
                    issued=shipment.shipped_at,
                )
            if shipment.status == S.DELIVERED:
                _add_document(
                    shipment,
                    staff,
                    f"Dovadă de livrare {shipment.number}",
                    title="Dovadă de livrare",
                    number=shipment.number.replace("EXP", "POD"),
                    issued=shipment.delivered_at,
                    paragraphs=[
                        f"Marfa a fost predată la {shipment.full_address}.",
                        spec.get("pod") or f"Primit de: {shipment.contact_name}, fără obiecții la recepție.",
                    ],
                )
            user = users.get(receiver)
            if user is None:
                continue
            _client_side(shipment, spec, company=company, user=user)


def _client_side(shipment: Shipment, spec: dict, *, company, user) -> None:
    """The client's problem report (which opens a support ticket), then the receipt: with objections
    that point to that ticket when a problem was reported first, in good order otherwise."""
    if spec.get("problem") and shipment.problem_ticket_id is None:
        services.shipment_report_problem(shipment=shipment, company=company, user=user, description=spec["problem"])
        shipment.refresh_from_db()
    if spec.get("received") and shipment.received_at is None:
        services.shipment_confirm_receipt(
            shipment=shipment, company=company, user=user, kind=shipment.receipt_kind_to_confirm
        )
