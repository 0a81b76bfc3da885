"""Demo catalogue, address books, quote requests in every status and offers in every status (with a revision)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from files.services import store_upload
from portal import audit
from portal.models import AuditEntry
from portal.notifications import notify
from portal.pdf import render_pdf
from quotes import services
from quotes.models import (
    DeliveryAddress,
    NumberSequence,
    Offer,
    OfferLine,
    Product,
    QuoteRequest,
    QuoteRequestLine,
)

PRODUCTS = [
    ("CP-200", "Pompă centrifugală CP-200, 7,5 kW", "buc", "Debit 200 m³/h, înălțime de pompare 32 m, carcasă fontă."),
    ("PS-4K", "Pompă submersibilă 4 kW", "buc", "Pentru puțuri de 6″, cu cablu de 30 m."),
    ("VF-DN100", "Vană fluture DN100 PN16", "buc", "Corp fontă, disc inox, acționare manuală cu manetă."),
    ("RS-DN25", "Robinet sferic inox DN25", "buc", ""),
    ("MF-16", "Manometru cu glicerină 0–16 bar", "buc", "Cadran Ø100 mm, racord radial ½″."),
    ("GF-DN100", "Garnitură flanșă DN100 EPDM", "buc", ""),
    ("TU-PE110", "Țeavă PEHD Ø110 PN10", "m", "Bare de 12 m."),
    ("FL-DN100", "Flanșă oarbă DN100 PN16", "buc", ""),
    ("SP-420", "Senzor de presiune 4–20 mA, 0–10 bar", "buc", ""),
    ("CB-3X25", "Cablu CYY-F 3×2,5 mm²", "m", ""),
    ("KIT-CP200", "Kit mentenanță pompă CP-200", "set", "Etanșare mecanică, rulmenți, garnituri."),
    ("UH-46", "Ulei hidraulic HLP 46", "l", "Bidon de 20 l."),
    ("MAN-ORA", "Manoperă montaj și punere în funcțiune", "oră", ""),
    ("TR-CURSA", "Transport marfă (cursă)", "cursă", "În raza de 50 km de depozit."),
]

ADDRESSES = [
    [
        ("Sediu social", "Str. Fabricii nr. 12", "București", "Sector 6", "Ana Popescu", "0722 123 456"),
        ("Depozit Chitila", "Șos. Chitilei nr. 210, hala 3", "Chitila", "Ilfov", "Gheorghe Țuțuianu", "0744 987 321"),
    ],
    [("Fabrica Cluj", "Calea Turzii nr. 178", "Cluj-Napoca", "Cluj", "Radu Stan", "0766 567 890")],
]


def demo_attachment(title: str, *paragraphs: str) -> SimpleUploadedFile:
    content = render_pdf(
        "pdf/demo_document.html", {"title": title, "paragraphs": paragraphs, "supplier_name": settings.SUPPLIER["name"]}
    )
    return SimpleUploadedFile(f"{title[:40]}.pdf", content, content_type="application/pdf")


def _bump(prefix: str, last: int) -> None:
    sequence, _ = NumberSequence.objects.get_or_create(key=f"{prefix}-{timezone.localdate().year}")
    if sequence.last < last:
        sequence.last = last
        sequence.save(update_fields=["last"])


def _request(
    company,
    number: str,
    *,
    by,
    status: str,
    days_ago: int,
    lines: list[tuple],
    delivery: str,
    address: DeliveryAddress | None,
    **extra,
) -> QuoteRequest:
    now = timezone.now()
    quote_request, _ = QuoteRequest.objects.update_or_create(
        number=number,
        defaults={
            "company": company,
            "status": status,
            "created_by": by,
            "delivery_option": delivery,
            "address_entry": address,
            "delivery_address": address.as_text() if address else "",
            "cancelled_at": now - timedelta(days=days_ago - 1) if status == QuoteRequest.Status.CANCELLED else None,
            "cancelled_by": by if status == QuoteRequest.Status.CANCELLED else None,
            **extra,
        },
    )
    QuoteRequest.objects.filter(pk=quote_request.pk).update(created_at=now - timedelta(days=days_ago))
    quote_request.lines.all().delete()
    products = {p.code: p for p in Product.objects.filter(code__in=[line[0] for line in lines])}
    QuoteRequestLine.objects.bulk_create(
        [
            QuoteRequestLine(
                company=company,
                request=quote_request,
                position=position,
                product=products.get(code),
                description=products[code].name if code in products else code,
                quantity=Decimal(qty),
                unit=unit or (products[code].unit if code in products else "buc"),
                note=note,
            )
            for position, (code, qty, unit, note) in enumerate(lines, start=1)
        ]
    )
    return quote_request


def _offer(
    company,
    number: str,
    revision: int,
    *,
    status: str,
    is_current: bool,
    sent_days_ago: int | None,
    valid_days: int,
    lines: list[tuple],
    staff,
    quote_request=None,
    decided=None,
    **extra,
) -> Offer:
    now, today = timezone.now(), timezone.localdate()
    sent_at = now - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    offer, _ = Offer.objects.update_or_create(
        number=number,
        revision=revision,
        defaults={
            "company": company,
            "request": quote_request,
            "status": status,
            "is_current": is_current,
            "currency": extra.pop("currency", "RON"),
            "valid_until": today + timedelta(days=valid_days),
            "payment_terms": "30 de zile de la emiterea facturii",
            "delivery_terms": "10 zile lucrătoare de la confirmare",
            "created_by": staff,
            "sent_at": sent_at,
            "sent_by": staff if sent_at else None,
            "decided_at": None,
            "decided_by": None,
            "decided_ip": None,
            "decided_total_gross": None,
            "rejection_reason": "",
            "withdrawn_at": None,
            "po_number": "",
            "acceptance_note": "",
            **extra,
        },
    )
    _forget_pdfs(offer)
    offer.lines.all().delete()
    products = {p.code: p for p in Product.objects.filter(code__in=[line[0] for line in lines])}
    OfferLine.objects.bulk_create(
        [
            OfferLine(
                company=company,
                offer=offer,
                position=position,
                product=products.get(code),
                description=products[code].name if code in products else code,
                quantity=Decimal(qty),
                unit=products[code].unit if code in products else "buc",
                unit_price=Decimal(price),
                discount_percent=Decimal(discount),
                vat_rate=vat,
            )
            for position, (code, qty, price, discount, vat) in enumerate(lines, start=1)
        ]
    )
    services.offer_recalculate(offer=offer)
    if decided:
        user, days_ago, reason = decided
        offer.decided_by, offer.decided_at, offer.decided_ip = user, now - timedelta(days=days_ago), "192.0.2.44"
        offer.decided_total_gross, offer.rejection_reason = offer.total_gross, reason
        offer.save(update_fields=["decided_by", "decided_at", "decided_ip", "decided_total_gross", "rejection_reason"])
        action = f"offer.{status}"
        if not AuditEntry.objects.filter(action=action, object_id=str(offer.public_id)).exists():
            with audit.request_ip_bound(offer.decided_ip):
                audit.record(
                    action=action,
                    company=company,
                    user=user,
                    obj=offer,
                    number=offer.number,
                    revision=offer.revision,
                    total_gross=str(offer.total_gross),
                    currency=offer.currency,
                    **({"reason": reason} if reason else {}),
                )
    if status == Offer.Status.WITHDRAWN:
        Offer.objects.filter(pk=offer.pk).update(withdrawn_at=now - timedelta(days=2))
    Offer.objects.filter(pk=offer.pk).update(created_at=(sent_at or now) - timedelta(hours=3))
    return offer


def _forget_pdfs(offer: Offer) -> None:
    """The offer's PDFs are rendered again (on the next download, or by seed), from the data as seeded now."""
    for field in ("pdf", "confirmation_pdf"):
        old = getattr(offer, field)
        if old is not None:
            setattr(offer, field, None)
            offer.save(update_fields=[field])
            old.file.delete(save=False)
            old.delete()


def seed(demo: dict) -> None:
    year = timezone.localdate().year
    staff = demo["staff"]
    for code, name, unit, description in PRODUCTS:
        Product.objects.update_or_create(
            code=code, defaults={"name": name, "unit": unit, "description": description, "active": True}
        )
    Product.objects.update_or_create(
        code="CP-150",
        defaults={"name": "Pompă centrifugală CP-150 (scoasă din fabricație)", "unit": "buc", "active": False},
    )

    books = []
    for company, addresses in zip(demo["companies"], ADDRESSES, strict=False):
        book = []
        for label, address, city, county, contact, phone in addresses:
            entry, _ = DeliveryAddress.objects.update_or_create(
                company=company,
                label=label,
                defaults={
                    "address": address,
                    "city": city,
                    "county": county,
                    "contact_name": contact,
                    "contact_phone": phone,
                },
            )
            book.append(entry)
        books.append(book)

    agroserv, termoplast = demo["companies"][:2]
    users = demo["users"]
    ana, mihai = users["ana.popescu@agroserv.ro"], users["mihai.ionescu@agroserv.ro"]
    elena, radu = users["elena.dumitru@termoplast.ro"], users["radu.stan@termoplast.ro"]
    sediu, chitila = books[0]
    RS = QuoteRequest.Status
    OS = Offer.Status

    def co(n):
        return f"CO-{year}-{n:04d}"

    def of(n):
        return f"OF-{year}-{n:04d}"

    submitted = _request(
        agroserv,
        co(1),
        by=mihai,
        status=RS.SUBMITTED,
        days_ago=1,
        delivery="address",
        address=chitila,
        desired_date=timezone.localdate() + timedelta(days=21),
        remarks="Pompele înlocuiesc două unități CP-150 din stația de irigații. Vă rugăm să includeți "
        "montajul și punerea în funcțiune.",
        lines=[
            ("CP-200", "2", "", "cu cuplaj elastic"),
            ("KIT-CP200", "2", "", ""),
            ("Racord flexibil anti-vibrații DN100", "4", "buc", ""),
        ],
    )
    if not submitted.attachments.exists():
        submitted.attachments.add(
            store_upload(
                company=agroserv,
                user=mihai,
                uploaded=demo_attachment(
                    "Schiță stație irigații",
                    "Stația de pompare Chitila: amplasarea celor două pompe și a conductelor DN100.",
                    "Cote în milimetri; racordurile existente sunt cu flanșă PN16.",
                ),
            )
        )
    in_review = _request(
        agroserv,
        co(2),
        by=ana,
        status=RS.IN_REVIEW,
        days_ago=4,
        delivery="courier",
        address=sediu,
        remarks="Avem nevoie de piese pentru revizia anuală.",
        lines=[("MF-16", "6", "", ""), ("SP-420", "3", "", ""), ("GF-DN100", "20", "", "")],
    )
    offered = _request(
        agroserv,
        co(3),
        by=ana,
        status=RS.OFFERED,
        days_ago=12,
        delivery="address",
        address=chitila,
        lines=[("VF-DN100", "8", "", ""), ("FL-DN100", "4", "", ""), ("TU-PE110", "240", "", "")],
    )
    closed = _request(
        agroserv,
        co(4),
        by=ana,
        status=RS.CLOSED,
        days_ago=40,
        delivery="address",
        address=sediu,
        lines=[("PS-4K", "1", "", ""), ("CB-3X25", "60", "", "")],
    )
    _request(
        agroserv,
        co(5),
        by=mihai,
        status=RS.CANCELLED,
        days_ago=20,
        delivery="pickup",
        address=None,
        remarks="Am găsit între timp piesa în stoc.",
        lines=[("RS-DN25", "10", "", "")],
    )
    rejected_request = _request(
        agroserv,
        co(6),
        by=mihai,
        status=RS.OFFERED,
        days_ago=30,
        delivery="pickup",
        address=None,
        lines=[("UH-46", "200", "", "")],
    )
    termoplast_request = _request(
        termoplast,
        co(7),
        by=radu,
        status=RS.SUBMITTED,
        days_ago=2,
        delivery="address",
        address=books[1][0],
        lines=[("CP-200", "1", "", ""), ("MAN-ORA", "16", "", "")],
    )
    _bump("CO", 7)

    _offer(
        agroserv,
        of(1),
        1,
        status=OS.SUPERSEDED,
        is_current=False,
        sent_days_ago=10,
        valid_days=20,
        quote_request=offered,
        staff=staff,
        lines=[
            ("VF-DN100", "8", "742.00", "0", 21),
            ("FL-DN100", "4", "96.50", "0", 21),
            ("TU-PE110", "240", "58.90", "0", 21),
            ("TR-CURSA", "1", "450.00", "0", 21),
        ],
    )
    current = _offer(
        agroserv,
        of(1),
        2,
        status=OS.SENT,
        is_current=True,
        sent_days_ago=3,
        valid_days=27,
        quote_request=offered,
        staff=staff,
        revision_note="Discount de 7% la vane și transport gratuit.",
        notes="Vanele se livrează din stoc; țeava PEHD în 5 zile lucrătoare.",
        lines=[
            ("VF-DN100", "8", "742.00", "7", 21),
            ("FL-DN100", "4", "96.50", "0", 21),
            ("TU-PE110", "240", "58.90", "0", 21),
            ("TR-CURSA", "1", "450.00", "100", 21),
        ],
    )
    accepted = _offer(
        agroserv,
        of(2),
        1,
        status=OS.ACCEPTED,
        is_current=True,
        sent_days_ago=36,
        valid_days=-6,
        quote_request=closed,
        staff=staff,
        decided=(ana, 33, ""),
        po_number="PO-4500018342",
        acceptance_note="Livrare la depozitul Chitila, luni–vineri între 8 și 16.\n"
        "Persoană de contact: Gheorghe Țuțuianu, 0744 987 321.",
        lines=[
            ("PS-4K", "1", "6890.00", "5", 21),
            ("CB-3X25", "60", "12.40", "0", 21),
            ("MAN-ORA", "6", "180.00", "0", 21),
        ],
    )
    _offer(
        agroserv,
        of(3),
        1,
        status=OS.REJECTED,
        is_current=True,
        sent_days_ago=27,
        valid_days=3,
        quote_request=rejected_request,
        staff=staff,
        decided=(ana, 25, "Am primit un preț mai bun pentru uleiul hidraulic."),
        lines=[("UH-46", "200", "16.80", "0", 21)],
    )
    _offer(
        agroserv,
        of(4),
        1,
        status=OS.EXPIRED,
        is_current=True,
        sent_days_ago=50,
        valid_days=-20,
        staff=staff,
        currency="EUR",
        notes="Ofertă pentru extinderea liniei de îmbuteliere (echipamente din import).",
        lines=[("Linie de clătire sticle, 2.000 buc/h", "1", "18400.00", "0", 21), ("MAN-ORA", "40", "38.00", "0", 21)],
    )
    _offer(
        agroserv,
        of(5),
        1,
        status=OS.WITHDRAWN,
        is_current=True,
        sent_days_ago=15,
        valid_days=15,
        staff=staff,
        lines=[("SP-420", "5", "610.00", "0", 21)],
    )
    _offer(
        agroserv,
        of(6),
        1,
        status=OS.DRAFT,
        is_current=False,
        sent_days_ago=None,
        valid_days=30,
        quote_request=in_review,
        staff=staff,
        lines=[
            ("MF-16", "6", "145.00", "0", 21),
            ("SP-420", "3", "598.00", "0", 21),
            ("GF-DN100", "20", "11.20", "0", 21),
        ],
    )
    soon = _offer(
        agroserv,
        of(7),
        1,
        status=OS.SENT,
        is_current=True,
        sent_days_ago=12,
        valid_days=2,
        staff=staff,
        notes="Manual de utilizare în limba română inclus (cotă TVA redusă).",
        lines=[
            ("KIT-CP200", "4", "1240.00", "10", 21),
            ("Manual tehnic tipărit", "4", "60.00", "0", 11),
            ("MAN-ORA", "8", "180.00", "0", 21),
        ],
    )
    termoplast_offer = _offer(
        termoplast,
        of(8),
        1,
        status=OS.SENT,
        is_current=True,
        sent_days_ago=1,
        valid_days=29,
        quote_request=termoplast_request,
        staff=staff,
        lines=[("CP-200", "1", "14250.00", "3", 21), ("MAN-ORA", "16", "180.00", "0", 21)],
    )
    QuoteRequest.objects.filter(pk=termoplast_request.pk).update(status=RS.OFFERED)
    _bump("OF", 8)
    # The accepted offer's "Confirmare de comandă", as the task renders it after an acceptance.
    services.order_confirmation_render(offer_id=accepted.pk)

    for offer, people in ((current, (ana, mihai)), (soon, (ana, mihai)), (termoplast_offer, (elena, radu))):
        for user in people:
            notify(
                user=user,
                company=offer.company,
                kind="offer.sent",
                key=f"offer-sent:{offer.pk}",
                message="offer.sent" if offer.revision == 1 else "offer.revised",
                params={"number": offer.number, "revision": offer.revision},
                url=reverse("quotes:offer_detail", args=[offer.public_id]),
            )
