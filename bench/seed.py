"""Bulk data for the benchmark: one client with years of history and many ordinary clients.

Everything goes in with ``bulk_create`` (no services, no signals, no emails): the goal is volume that
looks like production to the pages that read it. Stored totals and statuses are the ones the billing
services would store, so lists, filters and the statement show real figures, and every invoice and credit
note has the VAT rates of its tax point and an e-Factura XML that passes ANAF's rules (bench/tests).
"""

import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, Membership, User
from billing import services
from billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from contracts.models import Contract
from files.models import Document, DocumentVersion, StoredFile
from portal.money import Currency, line_amounts, vat_groups
from portal.vat import RATE_PERIODS, VatCategory, rates_on
from projects.models import Project, Task
from quotes.models import Offer, OfferLine, QuoteRequest
from shipments.models import Carrier, Shipment, ShipmentItem, TrackingEvent
from shipments.models import Status as ShipmentStatus
from support.models import Message, Ticket

PASSWORD = "Bench-portal-2026"  # noqa: S105 — bench users on a bench database
LARGE_EMAIL = "bench.mare@bench.ro"
BATCH = 5000
CENT = Decimal("0.01")
FIRST_RATED_DAY = RATE_PERIODS[0].start  # the portal knows no VAT rates before it
EUR_EVERY = 50  # every 50th invoice of the large client is in euro
EUR_RATE = Decimal("4.9771")
BIG_INVOICE_LINES = 120  # one invoice of the large client is this long

# Lines are per invoice, messages per ticket, big_tasks the tasks of the largest project (others have 10).
LARGE = {
    "invoices": 20_000,
    "lines": 5,
    "payments": 10_000,
    "projects": 200,
    "big_tasks": 2_000,
    "tickets": 10_000,
    "messages": 5,
    "shipments": 2_000,
    "documents": 10_000,
    "offers": 500,
    "contracts": 60,
}
ORDINARY = {
    "invoices": 10,
    "lines": 3,
    "payments": 5,
    "projects": 2,
    "big_tasks": 10,
    "tickets": 10,
    "messages": 3,
    "shipments": 5,
    "documents": 10,
    "offers": 5,
    "contracts": 2,
}

PRODUCTS = [
    "Licență ERP modul Contabilitate",
    "Abonament mentenanță lunar",
    "Implementare modul Stocuri",
    "Instruire utilizatori (zi)",
    "Server rack 2U",
    "Cititor coduri de bare",
    "Imprimantă etichete",
    "Consultanță raportare fiscală",
    "Modul e-Factura",
    "Licență utilizator suplimentar",
]
SUBJECTS = [
    "Eroare la exportul SAF-T",
    "Nu se generează factura în e-Factura",
    "Cerere acces utilizator nou",
    "Raportul de stocuri nu se încarcă",
    "Întrebare despre factura lunară",
    "Imprimanta nu tipărește etichete",
    "Livrare incompletă",
    "Actualizare licență",
    "Parolă expirată",
    "Integrare cu banca",
]
CITIES = [
    ("București", "București"),
    ("Cluj-Napoca", "Cluj"),
    ("Iași", "Iași"),
    ("Timișoara", "Timiș"),
    ("Brașov", "Brașov"),
    ("Constanța", "Constanța"),
    ("Craiova", "Dolj"),
    ("Oradea", "Bihor"),
]


def bulk(model, rows):
    return model.objects.bulk_create(rows, batch_size=BATCH)


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seeded() -> bool:
    return User.objects.filter(email=LARGE_EMAIL).exists()


def seed(*, ordinary: int = 50, scale: float = 1.0, log=print) -> None:
    rng = random.Random(2026)  # noqa: S311 — repeatable data, not secrets
    carrier, _ = Carrier.objects.get_or_create(
        code="bench-curier",
        defaults={"name": "Curier Bench", "tracking_url_pattern": "https://curier.example/awb/{awb}"},
    )
    large = {
        key: max(1, int(value * scale)) if key not in ("lines", "messages") else value for key, value in LARGE.items()
    }
    # the large client first: it is what the pages are measured on
    plans = [(0, LARGE_EMAIL, large)] + [(i, f"bench.client{i:02d}@bench.ro", ORDINARY) for i in range(1, ordinary + 1)]
    for index, email, plan in plans:
        with transaction.atomic():
            company = _company(index, email)
            started = timezone.now()
            _client(rng, index, company, plan, carrier)
            log(f"{company.name}: {(timezone.now() - started).total_seconds():.1f} s")


def _company(index: int, email: str) -> Company:
    city, county = CITIES[index % len(CITIES)]
    # e-Factura codes a Bucharest address by its sector (BR-RO-100)
    sector = ", Sector 3" if county == "București" else ""
    company = Company.objects.create(
        name="Bench Mare Distribuție SRL" if index == 0 else f"Bench Client {index:02d} SRL",
        cui=f"RO{90_000_000 + index}",
        address=f"Str. Testului nr. {index + 1}{sector}",
        city=city,
        county=county,
        status=Company.Status.ACTIVE,
        approved_at=timezone.now(),
    )
    user = User.objects.create_user(email, PASSWORD, first_name="Bench", last_name=f"Utilizator {index:02d}")
    Membership.objects.create(
        user=user,
        company=company,
        role=Membership.Role.ADMIN,
        status=Membership.Status.ACTIVE,
        approved_at=timezone.now(),
    )
    return company


def _client(rng, index, company, plan, carrier) -> None:
    today = timezone.localdate()
    user = User.objects.get(memberships__company=company)
    _offers(rng, index, company, plan, today)
    contracts = _contracts(index, company, plan, today)
    projects = _projects(rng, index, company, plan, today)
    invoices = _invoices(rng, index, company, plan, today, projects)
    _payments(rng, index, company, plan, invoices)
    _tickets(rng, index, company, plan, user, today)
    _shipments(rng, index, company, plan, carrier, today, projects, invoices)
    _documents(rng, index, company, plan, user, today, contracts)


def _offers(rng, index, company, plan, today):
    requests = bulk(
        QuoteRequest,
        [
            QuoteRequest(
                company=company,
                number=f"CO-B{index:02d}-{i:05d}",
                status=QuoteRequest.Status.OFFERED,
                delivery_address="Depozit central",
                remarks="Vă rugăm ofertă cu termen de livrare.",
            )
            for i in range(plan["offers"])
        ],
    )
    statuses = [Offer.Status.SENT, Offer.Status.ACCEPTED, Offer.Status.REJECTED, Offer.Status.EXPIRED]
    offers = []
    for i, request in enumerate(requests):
        net = Decimal(rng.randint(1_000, 90_000))
        offers.append(
            Offer(
                company=company,
                request=request,
                number=f"OF-B{index:02d}-{i:05d}",
                is_current=True,
                status=statuses[i % len(statuses)],
                valid_until=today + timedelta(days=30 - i % 90),
                total_net=net,
                total_vat=(net * Decimal("0.21")).quantize(CENT),
                total_gross=(net * Decimal("1.21")).quantize(CENT),
                sent_at=aware(today - timedelta(days=i % 700)),
                payment_terms="30 de zile de la facturare",
            )
        )
    offers = bulk(Offer, offers)
    bulk(
        OfferLine,
        [
            OfferLine(
                company=company,
                offer=offer,
                position=p,
                description=PRODUCTS[(i + p) % 10],
                quantity=Decimal(p + 1),
                unit_price=offer.total_net / 6,
            )
            for i, offer in enumerate(offers)
            for p in range(3)
        ],
    )
    return offers


def _contracts(index, company, plan, today):
    rows = []
    for i in range(plan["contracts"]):
        start = today - timedelta(days=30 * (i + 1))
        end = start + timedelta(days=365 * 2)
        rows.append(
            Contract(
                company=company,
                number=f"C-B{index:02d}-{i:04d}",
                title=f"Contract de {PRODUCTS[i % 10]}",
                status=Contract.Status.ACTIVE,
                signed_on=start,
                start_date=start,
                end_date=end,
                current_end_date=end,
                value=Decimal(50_000 + i),
                current_value=Decimal(50_000 + i),
            )
        )
    return bulk(Contract, rows)


def _projects(rng, index, company, plan, today):
    statuses = list(Project.Status)
    projects = bulk(
        Project,
        [
            Project(
                company=company,
                code=f"PRJ-B{index:02d}-{i:04d}",
                name=f"Implementare {PRODUCTS[i % 10]} {i}",
                status=statuses[i % len(statuses)],
                planned_start=today - timedelta(days=3 * i + 30),
                planned_end=today + timedelta(days=365 - i),
                manager_name="Ioana Marinescu",
                manager_email="ioana.marinescu@furnizor.ro",
            )
            for i in range(plan["projects"])
        ],
    )
    tasks = []
    task_statuses = list(Task.Status)
    for p, project in enumerate(projects):
        count = plan["big_tasks"] if p == 0 else 10
        for t in range(count):
            start = project.planned_start + timedelta(days=t % 300)
            milestone = t % 50 == 49
            tasks.append(
                Task(
                    company=company,
                    project=project,
                    phase=f"Faza {t // 200 + 1}",
                    position=t,
                    title=f"Sarcina {t + 1}: {PRODUCTS[t % 10]}",
                    start=start,
                    end=start if milestone else start + timedelta(days=1 + t % 20),
                    is_milestone=milestone,
                    status=task_statuses[t % len(task_statuses)],
                    progress=(t * 7) % 101,
                    responsible="Andrei Dumitru",
                )
            )
    bulk(Task, tasks)
    return projects


def _invoices(rng, index, company, plan, today, projects):
    count = plan["invoices"]
    span = (today - FIRST_RATED_DAY).days
    parties = Invoice(company=company)
    services.freeze_parties(parties)  # once: every invoice of the client keeps the same parties
    rows = []
    for i in range(count):
        issue = today - timedelta(days=(count - i) * span // count)  # oldest first
        euro = index == 0 and i % EUR_EVERY == EUR_EVERY - 1
        rows.append(
            Invoice(
                company=company,
                kind=Invoice.Kind.INVOICE,
                series=f"BN{index:02d}",
                number=i + 1,
                issue_date=issue,
                due_date=issue + timedelta(days=30),
                currency=Currency.EUR if euro else Currency.RON,
                exchange_rate=EUR_RATE if euro else None,
                project=projects[i % len(projects)] if i % 4 == 0 else None,
                issued_at=aware(issue),
                supplier_data=parties.supplier_data,
                buyer_data=parties.buyer_data,
                status=Invoice.Status.ISSUED,
            )
        )
    invoices = bulk(Invoice, rows)
    lines = []
    for i, invoice in enumerate(invoices):
        size = BIG_INVOICE_LINES if index == 0 and i == count // 3 else plan["lines"]
        rates = rates_on(invoice.tax_point)
        invoice_lines = [_line(rng, company, invoice, rates, i + p, p + 1) for p in range(size)]
        _set_totals(invoice, invoice_lines)
        lines += invoice_lines
        if len(lines) >= BATCH:
            bulk(InvoiceLine, lines)
            lines = []
    bulk(InvoiceLine, lines)
    _credit_notes(index, company, plan, today, invoices)
    return invoices


def _line(rng, company, invoice, rates, serial, position) -> InvoiceLine:
    # Mostly the standard rate, every fifth line a reduced one; prices in bani so VAT needs rounding.
    rate = rates[0] if serial % 5 else rates[1 + serial // 5 % (len(rates) - 1)]
    quantity = Decimal(rng.randint(1, 20))
    price = Decimal(rng.randint(5_000, 500_000)) / 100
    net, vat = line_amounts(quantity=quantity, unit_price=price, vat_rate=rate)
    return InvoiceLine(
        company=company,
        invoice=invoice,
        position=position,
        product_code=f"P{position - 1:03d}",
        description=PRODUCTS[(position - 1) % 10],
        quantity=quantity,
        unit_price=price,
        vat_rate=rate,
        vat_category=VatCategory.STANDARD,
        net_amount=net,
        vat_amount=vat,
    )


def _set_totals(invoice, lines) -> None:
    """The totals services.invoice_refresh stores: VAT rounded once per rate and category, not per line."""
    invoice.total_net = sum((line.net_amount for line in lines), Decimal(0))
    groups = vat_groups((line.vat_rate, line.net_amount, line.vat_category) for line in lines)
    invoice.total_vat = sum((group.vat for group in groups), Decimal(0))
    invoice.total_gross = invoice.total_net + invoice.total_vat
    invoice.balance = invoice.total_gross if invoice.kind == Invoice.Kind.INVOICE else Decimal(0)


def _credit_notes(index, company, plan, today, invoices) -> None:
    """The oldest two unpaid invoices reversed, the first in full and the second its first line, with
    both sides left as issuing the credit notes would."""
    notes, lines = [], []
    for n, original in enumerate(invoices[plan["payments"] : plan["payments"] + 2]):
        reversed_lines = list(original.lines.order_by("position"))[: 1 if n else None]
        issue = min(original.issue_date + timedelta(days=10), today)
        note = Invoice(
            company=company,
            kind=Invoice.Kind.CREDIT_NOTE,
            series=f"BS{index:02d}",
            number=n + 1,
            issue_date=issue,
            due_date=issue,
            delivery_date=original.tax_point,  # a correction carries the rates of the delivery it corrects
            currency=original.currency,
            exchange_rate=original.exchange_rate,
            reverses=original,
            issued_at=aware(issue),
            supplier_data=original.supplier_data,
            buyer_data=original.buyer_data,
            status=Invoice.Status.CREDIT_NOTE,
        )
        note_lines = [_reversal(note, line) for line in reversed_lines]
        _set_totals(note, note_lines)
        original.credited = -note.total_gross
        original.balance = original.total_gross - original.credited - original.amount_paid
        original.status = services.derive_status(
            kind=original.kind,
            issued=True,
            gross=original.total_gross,
            credited=original.credited,
            paid=original.amount_paid,
        )
        notes.append(note)
        lines += note_lines
    bulk(Invoice, notes)
    bulk(InvoiceLine, lines)


def _reversal(note, line) -> InvoiceLine:
    quantity = -line.quantity
    net, vat = line_amounts(quantity=quantity, unit_price=line.unit_price, vat_rate=line.vat_rate)
    return InvoiceLine(
        company=note.company,
        invoice=note,
        position=line.position,
        product_code=line.product_code,
        description=line.description,
        quantity=quantity,
        unit_price=line.unit_price,
        vat_rate=line.vat_rate,
        vat_category=line.vat_category,
        net_amount=net,
        vat_amount=vat,
    )


def _payments(rng, index, company, plan, invoices):
    # The oldest invoices are paid, one payment each; the rest stay open (the recent ones) or overdue.
    paid = invoices[: plan["payments"]]
    payments = bulk(
        Payment,
        [
            Payment(
                company=company,
                date=invoice.due_date - timedelta(days=2),
                amount=invoice.total_gross,
                currency=invoice.currency,
                allocated=invoice.total_gross,
                reference=f"OP-B{index:02d}-{i:06d}",
            )
            for i, invoice in enumerate(paid)
        ],
    )
    bulk(
        PaymentAllocation,
        [
            PaymentAllocation(company=company, payment=payment, invoice=invoice, amount=invoice.total_gross)
            for payment, invoice in zip(payments, paid, strict=True)
        ],
    )
    for invoice in paid:
        invoice.amount_paid, invoice.balance, invoice.status = invoice.total_gross, Decimal(0), Invoice.Status.PAID
    Invoice.objects.bulk_update(
        invoices,
        ["total_net", "total_vat", "total_gross", "credited", "amount_paid", "balance", "status"],
        batch_size=BATCH,
    )


def _tickets(rng, index, company, plan, user, today):
    statuses = list(Ticket.Status)
    categories = list(Ticket.Category)
    count = plan["tickets"]
    tickets = []
    for i in range(count):
        opened = aware(today - timedelta(days=(count - i) * 2000 // count), 9)
        tickets.append(
            Ticket(
                company=company,
                number=f"T-B{index:02d}-{i:06d}",
                subject=f"{SUBJECTS[i % 10]} ({i})",
                description="Bună ziua, vă rog să verificați problema descrisă. Mulțumesc.",
                category=categories[i % len(categories)],
                status=statuses[i % len(statuses)],
                opened_by=user,
                created_at=opened,
                last_activity_at=opened + timedelta(hours=5),
                sla_started_at=opened,
                first_response_due=opened + timedelta(hours=8),
                resolution_due=opened + timedelta(days=3),
            )
        )
    tickets = bulk(Ticket, tickets)
    messages = []
    for ticket in tickets:
        for m in range(plan["messages"]):
            staff = m % 2 == 1
            messages.append(
                Message(
                    company=company,
                    ticket=ticket,
                    author=None if staff else user,
                    from_staff=staff,
                    body="Revenim cu detalii în cel mai scurt timp." if staff else "Mulțumim.",
                    created_at=ticket.created_at + timedelta(hours=m),
                )
            )
        if len(messages) >= BATCH:
            bulk(Message, messages)
            messages = []
    bulk(Message, messages)


def _shipments(rng, index, company, plan, carrier, today, projects, invoices):
    flow = [ShipmentStatus.READY, ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED]
    count = plan["shipments"]
    shipments = bulk(
        Shipment,
        [
            Shipment(
                company=company,
                number=f"EXP-B{index:02d}-{i:05d}",
                carrier=carrier,
                awb=f"AWB{index:02d}{i:08d}",
                delivery_address="Str. Depozitului nr. 3",
                delivery_city="Chitila",
                delivery_county="Ilfov",
                contact_name="Vasile Georgescu",
                packages=1 + i % 4,
                status=flow[i % 4],
                planned_ship_date=today - timedelta(days=(count - i) * 1500 // count),
                project=projects[i % len(projects)] if i % 3 == 0 else None,
                last_event_at=aware(today - timedelta(days=(count - i) * 1500 // count)),
            )
            for i in range(count)
        ],
    )
    items, events = [], []
    for i, shipment in enumerate(shipments):
        day = shipment.planned_ship_date
        items += [
            ShipmentItem(
                company=company,
                shipment=shipment,
                position=p,
                product=PRODUCTS[p],
                code=f"P{p:03d}",
                quantity=Decimal(p + 1),
            )
            for p in range(2)
        ]
        events += [
            TrackingEvent(
                company=company,
                shipment=shipment,
                occurred_at=aware(day + timedelta(days=e), 8 + e),
                status=flow[e],
                place="Centrul de sortare Ștefăneștii de Jos",
                carrier=carrier,
            )
            for e in range(i % 4 + 1)
        ]
    bulk(ShipmentItem, items)
    bulk(TrackingEvent, events)


def _documents(rng, index, company, plan, user, today, contracts):
    count = plan["documents"]
    files = bulk(
        StoredFile,
        [
            StoredFile(
                company=company,
                file=f"bench/{company.public_id}/{uuid.uuid4()}.pdf",
                original_name=f"document-{i:05d}.pdf",
                content_type="application/pdf",
                size=120_000 + i,
                sha256="0" * 64,
            )
            for i in range(count)
        ],
    )
    categories = list(Document.Category)
    contract_type = ContentType.objects.get_for_model(Contract)
    documents = bulk(
        Document,
        [
            Document(
                company=company,
                title=f"{PRODUCTS[i % 10]} — document {i + 1}",
                category=categories[i % 6],
                linked_type=contract_type if i % 5 == 0 and contracts else None,
                linked_id=contracts[i % len(contracts)].pk if i % 5 == 0 and contracts else None,
            )
            for i in range(count)
        ],
    )
    versions = bulk(
        DocumentVersion,
        [
            DocumentVersion(document=document, number=1, file=file)
            for document, file in zip(documents, files, strict=True)
        ],
    )
    for document, version in zip(documents, versions, strict=True):
        document.current_version = version
    Document.objects.bulk_update(documents, ["current_version"], batch_size=BATCH)
