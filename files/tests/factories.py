"""Real small files (PDF, PNG, JPEG, DOCX, XLSX, ODT, CSV) and documents made through the services.

Documents are created with ``services.document_create`` / ``document_add_version`` so that
versions, ``current_version`` and the stored files are always consistent, as in production.
"""

from __future__ import annotations

import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import CompanyFactory
from files import services
from files.models import Document, DocumentVersion, StoredFile

# --- file contents --------------------------------------------------------------------------------


def pdf_bytes(text: str = "Document de test") -> bytes:
    """A tiny valid one-page PDF (correct xref offsets) that Chromium's viewer opens."""
    safe = text.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 18 Tf 72 720 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (24, 16), color: str = "#1d6fa5") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


def png_bytes(**kwargs) -> bytes:
    return image_bytes("PNG", **kwargs)


def jpeg_bytes(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def zip_bytes(members: dict[str, bytes | str], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:  # ODF wants "mimetype" first and stored
            archive.writestr(zipfile.ZipInfo(first), members[first], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != first:
                archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><Types '
    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def docx_bytes(text: str = "Fișă tehnică") -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES_XML,
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": f"<w:document><w:t>{text}</w:t></w:document>",
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        {"[Content_Types].xml": CONTENT_TYPES_XML, "_rels/.rels": "<Relationships/>", "xl/workbook.xml": "<workbook/>"}
    )


def odt_bytes() -> bytes:
    return zip_bytes(
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office:document-content/>"},
        first="mimetype",
    )


def csv_bytes() -> bytes:
    return "Cod;Denumire;Cantitate\nCP-200;Pompă centrifugală;2\nȘ-8;Șurub inox M8;150\n".encode()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What a browser would send: the name and the bytes (its content type is never trusted)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name: str = "fisa-tehnica.pdf", text: str = "Document de test") -> SimpleUploadedFile:
    return upload(name, pdf_bytes(text), "application/pdf")


def png_upload(name: str = "schita.png", **kwargs) -> SimpleUploadedFile:
    return upload(name, png_bytes(**kwargs), "image/png")


def docx_upload(name: str = "specificatie.docx") -> SimpleUploadedFile:
    return upload(name, docx_bytes())


# --- model factories ------------------------------------------------------------------------------


class StoredFileFactory(factory.django.DjangoModelFactory):
    """A private file, stored like a generated PDF."""

    class Meta:
        model = StoredFile

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"fisier-{n}.pdf")
    content = factory.LazyFunction(pdf_bytes)
    content_type = "application/pdf"

    @classmethod
    def _create(cls, model_class, *, company, name, content, content_type, **kwargs):
        return services.store_generated(company=company, name=name, content=content, content_type=content_type)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document with its first version, made by ``services.document_create``.

    ``DocumentFactory(company=c, file=png_upload(), versions=3)`` adds versions 2 and 3 through
    ``services.document_add_version``.
    """

    class Meta:
        model = Document
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Fișă tehnică pompă CP-{200 + n}")
    category = Document.Category.TECHNICAL
    description = ""
    source = Document.Source.SUPPLIER
    linked = None
    user = None
    comment = ""
    file = factory.LazyAttribute(lambda o: pdf_upload(f"document-{o.title[-6:]}.pdf".replace(" ", "-")))

    @classmethod
    def _create(cls, model_class, *, file, **kwargs):
        return services.document_create(uploaded=file, **kwargs)

    @factory.post_generation
    def versions(obj, create, extracted, **kwargs):
        if not create:
            return
        for number in range(2, (extracted or 1) + 1):
            services.document_add_version(
                document=obj,
                uploaded=pdf_upload(f"revizia-{number}.pdf"),
                user=obj.created_by,
                comment=f"Revizia {number}",
            )
        obj.refresh_from_db()


def add_version(document: Document, uploaded=None, *, user=None, comment: str = "") -> DocumentVersion:
    version = services.document_add_version(
        document=document, uploaded=uploaded or pdf_upload("revizie.pdf"), user=user, comment=comment
    )
    document.refresh_from_db()
    return version
