"""Demo contracts: active with an annex, one expiring soon, expired, terminated and a draft."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts import services
from contracts.models import Annex, Contract
from files.models import Document
from files.services import document_create
from portal.pdf import render_pdf


def demo_pdf(title: str, *paragraphs: str) -> SimpleUploadedFile:
    content = render_pdf(
        "pdf/demo_document.html", {"title": title, "paragraphs": paragraphs, "supplier_name": settings.SUPPLIER["name"]}
    )
    return SimpleUploadedFile(f"{title[:40]}.pdf", content, content_type="application/pdf")


def contracts_for(today):
    d = timedelta
    return [
        {
            "number": "CTR-2025-014",
            "title": "Contract-cadru de furnizare echipamente și piese de schimb",
            "kind": Contract.Kind.FRAMEWORK,
            "status": Contract.Status.ACTIVE,
            "signed_on": today - d(days=420),
            "start_date": today - d(days=415),
            "end_date": today + d(days=310),
            "value": Decimal("480000.00"),
            "payment_terms": "30 de zile de la emiterea facturii",
            "description": "Livrarea de echipamente de pompare, piese de schimb și consumabile, la cerere, "
            "pe baza comenzilor ferme transmise prin portal.",
            "annexes": [
                {
                    "number": 1,
                    "title": "Actualizarea listei de prețuri 2026",
                    "signed_on": today - d(days=60),
                    "effective_date": today - d(days=55),
                    "value_change": Decimal("36500.00"),
                }
            ],
        },
        {
            "number": "CTR-2026-003",
            "title": "Mentenanță și suport ERP — modulele Stocuri și Facturare",
            "kind": Contract.Kind.MAINTENANCE,
            "status": Contract.Status.ACTIVE,
            "signed_on": today - d(days=330),
            "start_date": today - d(days=320),
            "end_date": today + d(days=28),
            "value": Decimal("54000.00"),
            "payment_terms": "lunar, în avans, până pe data de 5",
            "currency": "RON",
            "description": "Suport tehnic 8×5, actualizări de versiune și 20 de ore de consultanță pe lună.",
            "annexes": [],
        },
        {
            "number": "CTR-2023-021",
            "title": "Licență software de planificare a producției",
            "kind": Contract.Kind.LICENCE,
            "status": Contract.Status.ACTIVE,
            "signed_on": today - d(days=1100),
            "start_date": today - d(days=1095),
            "end_date": today - d(days=30),
            "value": Decimal("12000.00"),
            "currency": "EUR",
            "payment_terms": "anual, în avans",
            "annexes": [],
        },
        {
            "number": "CTR-2024-007",
            "title": "Servicii de instalare linie de ambalare",
            "kind": Contract.Kind.SERVICES,
            "status": Contract.Status.TERMINATED,
            "signed_on": today - d(days=700),
            "start_date": today - d(days=690),
            "end_date": today + d(days=40),
            "terminated_on": today - d(days=90),
            "value": Decimal("96000.00"),
            "payment_terms": "pe etape, la recepție",
            "annexes": [],
        },
        {
            "number": "CTR-2026-019",
            "title": "Extindere garanție echipamente (în negociere)",
            "kind": Contract.Kind.SERVICES,
            "status": Contract.Status.DRAFT,
            "start_date": today + d(days=30),
            "end_date": today + d(days=395),
            "value": Decimal("18500.00"),
            "annexes": [],
        },
    ]


def seed(demo: dict) -> None:
    today = timezone.localdate()
    staff = demo["staff"]
    for index, company in enumerate(demo["companies"]):
        specs = contracts_for(today) if index == 0 else contracts_for(today)[:2]
        for spec in specs:
            spec = dict(spec)
            annexes = spec.pop("annexes")
            number = spec.pop("number") if index == 0 else spec.pop("number").replace("CTR", "TP")
            contract, _created = Contract.objects.update_or_create(company=company, number=number, defaults=spec)
            for annex_spec in annexes:
                annex, _ = Annex.objects.update_or_create(
                    contract=contract, number=annex_spec["number"], defaults={**annex_spec, "company": company}
                )
                if not Document.objects.filter(company=company, title=f"{annex} — semnat").exists():
                    document_create(
                        company=company,
                        title=f"{annex} — semnat",
                        user=staff,
                        linked=annex,
                        category=Document.Category.CONTRACTUAL,
                        uploaded=demo_pdf(str(annex), annex.title),
                    )
            services.contract_refresh(contract=contract)
            if (
                contract.status != Contract.Status.DRAFT
                and not Document.objects.filter(company=company, title=f"Contract {number} — semnat").exists()
            ):
                document_create(
                    company=company,
                    title=f"Contract {number} — semnat",
                    user=staff,
                    linked=contract,
                    category=Document.Category.CONTRACTUAL,
                    uploaded=demo_pdf(
                        f"Contract nr. {number}",
                        contract.title,
                        contract.description or "",
                        f"Termene de plată: {contract.payment_terms or '—'}.",
                    ),
                )
