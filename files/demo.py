"""Demo documents: for each demo company, what the supplier shares (every category, some with two
versions) and a couple of files the client uploaded. Real small PDFs (WeasyPrint) and PNGs (Pillow).

Idempotent: a document whose title already exists for the company is left as it is, so running
``seed_demo`` again neither duplicates documents nor resets what users have opened. The category
rules (financial documents need the billing right) are set again on every run.
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Company, Membership
from files import services
from files.models import CategoryAccess, Document, DocumentSeen, DocumentVersion, RequiredRight, StoredFile
from portal.pdf import render_pdf

C = Document.Category

# Which right a category needs (admin: "Acces pe categorie"): the payment statement (billing/demo.py makes it
# from the company's invoices) is seen only by members who see invoices, so mihai.ionescu@agroserv.ro (no
# billing right) does not see it.
CATEGORY_RULES = {C.FINANCIAL: RequiredRight.BILLING}

# (title, category, description, days ago, file spec, second version or None, client upload)
# file spec: ("pdf", reference, paragraphs, columns, rows) or ("png", drawing)
DOCUMENTS = [
    {
        "title": "Fișă tehnică pompă centrifugală CP-200",
        "category": C.TECHNICAL,
        "days": 75,
        "description": "Date tehnice, curbe de performanță și dimensiuni de montaj pentru pompa CP-200.",
        "file": (
            "pdf",
            "FT-CP200",
            ["Pompă centrifugală monoetajată pentru apă curată și lichide ușor încărcate."],
            ("Caracteristică", "Valoare"),
            [
                ("Debit nominal", "200 m³/h"),
                ("Înălțime de pompare", "32 m"),
                ("Putere motor", "30 kW"),
                ("Turație", "2.950 rot/min"),
                ("Racord aspirație / refulare", "DN 150 / DN 125"),
                ("Masă", "412 kg"),
            ],
        ),
        "version2": ("Revizia B: curbe de performanță actualizate, masa corectată.", 12),
    },
    {
        "title": "Certificat de conformitate lot 2026-11",
        "category": C.DELIVERY,
        "days": 40,
        "description": "Declarația de conformitate CE pentru lotul livrat în noiembrie.",
        "file": (
            "pdf",
            "CC-2026-11",
            [
                "Certificăm că produsele din lotul 2026-11 sunt conforme cu Directiva "
                "2006/42/CE privind echipamentele tehnice și cu standardul SR EN 809."
            ],
            ("Produs", "Cantitate"),
            [("Pompă centrifugală CP-200", "2 buc."), ("Set garnituri mecanice GM-45", "6 buc.")],
        ),
    },
    {
        "title": "Manual de utilizare ERP — modul Stocuri",
        "category": C.OTHER,
        "days": 120,
        "description": "Recepții, transferuri între gestiuni, inventar și rapoarte de stoc.",
        "file": (
            "pdf",
            "MAN-ERP-STOC",
            [
                "Manualul descrie operațiile zilnice din modulul Stocuri: recepția pe "
                "bază de NIR, transferul între gestiuni, inventarul periodic și "
                "rapoartele de rotație a stocurilor."
            ],
            None,
            [],
        ),
        "version2": ("Actualizat pentru versiunea 5.2: inventar cu cititor de coduri de bare.", 5),
    },
    {
        "title": "Aviz de însoțire 4512",
        "category": C.DELIVERY,
        "days": 38,
        "description": "Aviz de însoțire a mărfii pentru livrarea parțială din 14.11.",
        "file": (
            "pdf",
            "AV-4512",
            ["Livrare parțială conform comenzii ferme nr. 318."],
            ("Articol", "Cantitate"),
            [
                ("Pompă centrifugală CP-200", "2 buc."),
                ("Set garnituri mecanice GM-45", "6 buc."),
                ("Flanșă oarbă DN 150", "4 buc."),
            ],
        ),
    },
    {
        "title": "Listă de prețuri piese de schimb 2026",
        "category": C.COMMERCIAL,
        "days": 95,
        "description": "Prețuri valabile de la 1 ianuarie 2026, fără TVA.",
        "file": (
            "pdf",
            "LP-2026",
            ["Prețurile sunt exprimate în lei, fără TVA (21%), franco depozit furnizor."],
            ("Piesă", "Preț unitar"),
            [
                ("Rotor CP-200", "3.840,00 lei"),
                ("Garnitură mecanică GM-45", "612,50 lei"),
                ("Rulment 6310-2Z", "148,90 lei"),
                ("Cuplaj elastic CE-42", "455,00 lei"),
            ],
        ),
    },
    {
        "title": "Condiții generale de livrare 2026",
        "category": C.CONTRACTUAL,
        "days": 150,
        "description": "Termene, transport, recepție cantitativă și calitativă, garanții.",
        "file": (
            "pdf",
            "CGL-2026",
            [
                "Livrarea se face în termen de 10 zile lucrătoare de la confirmarea comenzii.",
                "Recepția cantitativă se face la descărcare; neconformitățile calitative se "
                "semnalează în 5 zile lucrătoare prin portal (secțiunea Suport).",
            ],
            None,
            [],
        ),
    },
    {
        "title": "Schemă de montaj stație de pompare SP-3",
        "category": C.TECHNICAL,
        "days": 60,
        "description": "Amplasarea pompelor, vanelor și a tabloului electric.",
        "file": ("png", "schema"),
    },
    {
        "title": "Comandă fermă nr. 318 — pompe CP-200",
        "category": C.COMMERCIAL,
        "days": 50,
        "client": True,
        "description": "Comanda semnată și ștampilată.",
        "file": (
            "pdf",
            "CMD-318",
            ["Vă rugăm să livrați produsele de mai jos la punctul de lucru din Ploiești."],
            ("Articol", "Cantitate"),
            [("Pompă centrifugală CP-200", "2 buc."), ("Set garnituri mecanice GM-45", "6 buc.")],
        ),
    },
    {
        "title": "Fotografie placă de identificare pompă",
        "category": C.TECHNICAL,
        "days": 8,
        "client": True,
        "description": "Pompa existentă din stația SP-1, pentru identificarea piesei de schimb.",
        "file": ("png", "placa"),
    },
]

# What the company admin has already opened (the rest show "nou"); the pump sheet was seen at v1,
# so its revision B shows "nou" again.
SEEN_BY_ADMIN = {
    "Condiții generale de livrare 2026",
    "Listă de prețuri piese de schimb 2026",
    "Manual de utilizare ERP — modul Stocuri",
}
SEEN_AT_V1 = {"Fișă tehnică pompă centrifugală CP-200"}


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    path = finders.find("fonts/DejaVuSans-Bold.ttf" if bold else "fonts/DejaVuSans.ttf")
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _png(kind: str, title: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 640), "#ffffff")
    draw = ImageDraw.Draw(image)
    blue, grey = "#1d4f91", "#5b6675"
    if kind == "schema":
        draw.rectangle((20, 20, 940, 620), outline=blue, width=3)
        draw.text((40, 36), title, fill=blue, font=_font(26, bold=True))
        for index, x in enumerate((120, 380, 640)):
            draw.ellipse((x, 220, x + 150, 370), outline=blue, width=4)
            draw.text((x + 40, 280), f"P{index + 1}", fill=blue, font=_font(30, bold=True))
            draw.line((x + 75, 220, x + 75, 140), fill=grey, width=6)
            draw.rectangle((x + 55, 160, x + 95, 190), outline=grey, width=3)
        draw.line((195, 140, 715, 140), fill=grey, width=8)
        draw.line((715, 140, 880, 140), fill=grey, width=8)
        draw.text((760, 100), "refulare DN 125", fill=grey, font=_font(18))
        draw.line((60, 450, 900, 450), fill=grey, width=8)
        draw.text((60, 462), "aspirație DN 150", fill=grey, font=_font(18))
        draw.rectangle((720, 500, 900, 600), outline=blue, width=3)
        draw.text((735, 535), "Tablou electric", fill=blue, font=_font(18))
    else:
        image.paste("#c9ced6", (0, 0, 960, 640))
        draw.rounded_rectangle((130, 110, 830, 530), radius=18, fill="#e8ebef", outline="#6b7480", width=6)
        draw.text((170, 140), "POMPE INDUSTRIALE", fill="#2b3440", font=_font(34, bold=True))
        for row, (label, value) in enumerate(
            [
                ("Tip", "CP-160"),
                ("Serie", "CP16-2019-00482"),
                ("Q", "160 m³/h"),
                ("H", "28 m"),
                ("P", "22 kW  2.950 rot/min"),
            ]
        ):
            draw.text((170, 220 + row * 56), label, fill="#4a5360", font=_font(26))
            draw.text((330, 220 + row * 56), value, fill="#1f2933", font=_font(26, bold=True))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _file(spec: dict, company: Company, issued, version: int | None = None) -> SimpleUploadedFile:
    kind = spec["file"][0]
    stem = spec["title"].split(" — ")[0][:60]
    if kind == "png":
        return SimpleUploadedFile(f"{stem}.png", _png(spec["file"][1], spec["title"]), content_type="image/png")
    _kind, reference, paragraphs, columns, rows = spec["file"]
    content = render_pdf(
        "files/demo_document.html",
        {
            "title": spec["title"],
            "reference": reference,
            "paragraphs": paragraphs,
            "columns": columns or (),
            "rows": rows,
            "company": company,
            "issued": issued,
            "version": version,
            "supplier": settings.SUPPLIER,
        },
    )
    suffix = f" rev {version}" if version else ""
    return SimpleUploadedFile(f"{stem}{suffix}.pdf", content, content_type="application/pdf")


def _backdate(document: Document, when) -> None:
    Document.objects.filter(pk=document.pk).update(created_at=when, updated_at=when)
    versions = DocumentVersion.objects.filter(document=document)
    versions.update(created_at=when)
    StoredFile.objects.filter(pk__in=versions.values("file")).update(created_at=when)


def _company_admin(company: Company):
    membership = (
        Membership.objects.active()
        .filter(company=company, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def seed(demo: dict) -> None:
    for category, right in CATEGORY_RULES.items():
        CategoryAccess.objects.update_or_create(category=category, defaults={"required_right": right})
    staff = demo["staff"]
    now = timezone.now()
    for company in demo["companies"]:
        admin = _company_admin(company)
        existing = set(Document.objects.filter(company=company).values_list("title", flat=True))
        for spec in DOCUMENTS:
            if spec["title"] in existing:
                continue
            client = spec.get("client") and admin is not None
            issued = now - timedelta(days=spec["days"])
            first = _file(spec, company, issued, version=1 if spec.get("version2") else None)
            document = services.document_create(
                company=company,
                title=spec["title"],
                category=spec["category"],
                description=spec["description"],
                uploaded=first,
                user=admin if client else staff,
                source=Document.Source.CLIENT if client else Document.Source.SUPPLIER,
            )
            _backdate(document, issued)
            if admin and (client or spec["title"] in SEEN_BY_ADMIN | SEEN_AT_V1):
                DocumentSeen.objects.update_or_create(user=admin, document=document, defaults={"version_number": 1})
            if spec.get("version2"):
                comment, days_ago = spec["version2"]
                when = now - timedelta(days=days_ago)
                version = services.document_add_version(
                    document=document, uploaded=_file(spec, company, when, version=2), user=staff, comment=comment
                )
                DocumentVersion.objects.filter(pk=version.pk).update(created_at=when)
                StoredFile.objects.filter(pk=version.file_id).update(created_at=when)
                Document.objects.filter(pk=document.pk).update(updated_at=when)
                if admin and spec["title"] in SEEN_BY_ADMIN:
                    DocumentSeen.objects.filter(user=admin, document=document).update(version_number=2)
