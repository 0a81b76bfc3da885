"""Upload checks: the extension says what we expect, the content must agree; refusals name the file."""

import pytest
from django.core.exceptions import ValidationError

from files.forms import DocumentUploadForm
from files.tests.factories import (
    csv_bytes,
    docx_bytes,
    jpeg_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    xlsx_bytes,
    zip_bytes,
)
from files.validation import validate_upload

MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload(name, content))
    assert caught.value.code == "invalid_file"
    message = " ".join(caught.value.messages)
    assert f"„{name}”" in message, f"the message should name the file: {message}"
    return message


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("fisa-tehnica.pdf", pdf_bytes(), "application/pdf"),
        ("SCAN-AVIZ.PDF", pdf_bytes(), "application/pdf"),
        ("schita.png", png_bytes(), "image/png"),
        ("fotografie.jpg", jpeg_bytes(), "image/jpeg"),
        ("fotografie.jpeg", jpeg_bytes(), "image/jpeg"),
        ("specificatie.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("stocuri.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("proces-verbal.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
        ("comanda.csv", csv_bytes(), "text/csv"),
        ("observatii.txt", "Mențiuni: livrare la depozitul din Țăndărei, rampa 3.\n".encode(), "text/plain"),
    ],
)
def test_real_files_are_accepted(name, content, content_type):
    assert validate_upload(upload(name, content)).content_type == content_type


def test_utf8_text_cut_inside_a_character_at_the_sample_edge_is_accepted():
    # The check reads the first 4096 bytes; "ș" is two bytes, so the sample ends mid-character.
    content = ("a" + "ș" * 3000).encode()
    assert validate_upload(upload("lista.txt", content)).content_type == "text/plain"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("factura.pdf", MZ),
        ("poza.png", MZ),
        ("citeste.txt", MZ),
        ("raport.pdf", ELF),
        ("date.csv", ELF),
        ("script.txt", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
def test_renamed_executables_are_refused(name, content):
    assert "nu corespunde unui fișier" in refusal(name, content)


def test_an_html_page_behind_a_png_header_is_refused():
    assert "nu corespunde" in refusal("logo.png", PNG_MAGIC + b"<html><script>alert(1)</script></html>")


def test_a_real_png_with_an_html_page_appended_is_refused():
    refusal("logo.png", png_bytes() + b"<html><body><script>alert(1)</script></body></html>")


def test_a_truncated_png_is_refused():
    refusal("schita.png", png_bytes(size=(200, 200))[:40] + b"\x00garbage\xff" * 20)


def test_png_magic_followed_by_garbage_is_refused():
    refusal("schita.png", PNG_MAGIC + bytes(range(256)) * 4)


@pytest.mark.parametrize("content", [SVG, SVG_SCRIPT], ids=["plain", "with-script"])
def test_svg_is_refused_by_extension(content):
    message = refusal("desen.svg", content)
    assert ".svg nu sunt acceptate" in message
    assert "pdf" in message  # the message lists what is accepted


@pytest.mark.parametrize("content", [SVG, SVG_SCRIPT], ids=["plain", "with-script"])
def test_svg_renamed_to_png_is_refused(content):
    refusal("desen.png", content)


@pytest.mark.parametrize("name", ["setup.exe", "pagina.html", "cod.js", "factura.pdf.exe", "README"])
def test_extensions_not_on_the_list_are_refused(name):
    message = refusal(name, b"continut oarecare")
    assert "nu sunt acceptate" in message
    assert "Tipuri acceptate:" in message


@pytest.mark.parametrize(
    "content",
    [
        b"Buna ziua,\n<script>fetch('/cont/')</script>\n",
        b"<!DOCTYPE html><html><body>factura</body></html>",
        b"Link: javascript:alert(1)",
    ],
)
def test_text_with_markup_or_script_is_refused(content):
    refusal("nota.txt", content)


def test_text_that_is_not_utf8_is_refused():
    refusal("comanda.csv", "Pompă;Șurub;Țeavă\n".encode("utf-16"))


def test_an_empty_file_is_refused():
    assert "este gol" in refusal("gol.pdf", b"")


def test_a_file_over_the_limit_is_refused(settings):
    settings.FILES_MAX_UPLOAD_MB = 1
    content = pdf_bytes() + b"\n%" + b"x" * (1024 * 1024)
    message = refusal("manual-mare.pdf", content)
    assert "limita este" in message
    assert "1,0" in message or "1.0" in message


def test_a_file_just_under_the_limit_is_accepted(settings):
    settings.FILES_MAX_UPLOAD_MB = 1
    content = pdf_bytes()
    content += b"%" * (1024 * 1024 - len(content))
    assert validate_upload(upload("manual.pdf", content)).content_type == "application/pdf"


def test_a_zip_without_content_types_named_docx_is_refused():
    refusal("contract.docx", zip_bytes({"word/document.xml": "<w:document/>"}))


def test_a_zip_without_mimetype_named_odt_is_refused():
    refusal("contract.odt", zip_bytes({"content.xml": "<office:document-content/>"}))


def test_a_pdf_renamed_docx_is_refused():
    refusal("contract.docx", pdf_bytes())


def test_the_form_shows_the_refusal_on_the_file_field():
    form = DocumentUploadForm({"title": "Factură", "category": "financiar"}, {"file": upload("factura.pdf", MZ)})
    assert not form.is_valid()
    assert "„factura.pdf”" in form.errors["file"][0]


def test_the_form_help_text_states_the_limit_and_types(settings):
    settings.FILES_MAX_UPLOAD_MB = 20
    help_text = str(DocumentUploadForm().fields["file"].help_text)
    assert "Maximum 20 MB." in help_text  # not Django's Romanian filesizeformat: "20,0 MO"
    assert "pdf" in help_text and "docx" in help_text
