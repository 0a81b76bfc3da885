"""Hostile uploads: zip bombs, names that try to escape or break headers and pages, files over the limit."""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from files.models import Document, StoredFile
from files.tests.factories import CONTENT_TYPES_XML, docx_bytes, pdf_bytes, upload
from files.validation import ZIP_MAX_MEMBERS, validate_upload


def ooxml(members: dict[str, bytes], *, extra: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        for name, content in members.items():
            archive.writestr(name, content)
        for number in range(extra):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", b"<x/>")
    return buffer.getvalue()


def test_a_docx_that_unpacks_to_tens_of_megabytes_is_refused():
    bomb = ooxml({"word/document.xml": b"\x00" * (30 * 1024 * 1024)})  # ~30 KB packed, ratio ~1000
    assert len(bomb) < 200 * 1024
    with pytest.raises(Exception, match="nu corespunde"):
        validate_upload(upload("specificatie.docx", bomb))


def test_an_xlsx_with_thousands_of_members_is_refused():
    with pytest.raises(Exception, match="nu corespunde"):
        validate_upload(upload("stocuri.xlsx", ooxml({}, extra=ZIP_MAX_MEMBERS + 1)))


def test_an_ordinary_docx_with_many_parts_is_accepted():
    assert validate_upload(upload("specificatie.docx", ooxml({"word/document.xml": b"<w/>" * 2000}, extra=50)))
    assert validate_upload(upload("specificatie.docx", docx_bytes()))


HOSTILE_NAMES = [
    "../../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    'oferta "finala".pdf',
    "oferta'; DROP TABLE files;--.pdf",
    "rand\nnou.pdf",
    "rand\r\nContent-Type: text/html.pdf",
    "nul\x00.pdf",
    "<script>alert(1)</script>.pdf",
    "\u202eFDP.exe.pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_are_stored_under_generated_names_and_served_safely(client, admin_a, company_a, name):
    client.force_login(admin_a)
    response = client.post(
        reverse("files:upload"),
        {"title": "Fișă tehnică", "category": "tehnic", "file": upload(name, pdf_bytes(), "application/pdf")},
    )
    assert response.status_code in {200, 302, 400}
    stored = StoredFile.objects.filter(company=company_a).first()
    if stored is None:  # the name broke the multipart body: refused, nothing saved
        assert not Document.objects.exists()
        return
    assert re.fullmatch(rf"companies/{company_a.public_id}/[0-9a-f-]{{36}}\.pdf", stored.file.name)
    assert not re.search(r"[\x00-\x1f\x7f/\\]", stored.original_name)
    document = Document.objects.get(company=company_a)
    page = client.get(reverse("files:detail", kwargs={"public_id": document.public_id})).content.decode()
    assert "<script>alert(1)" not in page
    download = client.get(reverse("files:download", kwargs={"public_id": document.public_id}))
    disposition = download["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9.-]+"', disposition), disposition
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_file_over_the_limit_is_refused_by_the_form_and_nothing_is_saved(client, admin_a, settings):
    settings.FILES_MAX_UPLOAD_MB = 1
    client.force_login(admin_a)
    big = pdf_bytes() + b"0" * (1024 * 1024 + 1)
    response = client.post(
        reverse("files:upload"),
        {"title": "Prea mare", "category": "tehnic", "file": upload("mare.pdf", big, "application/pdf")},
    )
    assert response.status_code == 200
    assert "limita este" in response.content.decode()
    assert not StoredFile.objects.exists() and not Document.objects.exists()
