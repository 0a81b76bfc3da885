import re
import shutil
import subprocess
import zlib
from unittest import mock

import pytest
from django.core.exceptions import SuspiciousFileOperation

from portal import pdf
from portal.pdf import FetchRefused, render_pdf, static_file_for

DIACRITICS = "Șanțul, țară, ăâî"


@pytest.fixture
def pdf_templates(settings, tmp_path):
    (tmp_path / "test_pdf").mkdir()
    (tmp_path / "test_pdf" / "doc.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}Test{% endblock %}'
        "{% block content %}<h1>{{ title }}</h1><p>{{ body }}</p>{% endblock %}"
    )
    (tmp_path / "test_pdf" / "fetches.html").write_text(
        '<html><body><p>x</p><img src="{{ src }}"><img src="/static/img/favicon.svg"></body></html>'
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]


def decompressed_streams(data: bytes) -> bytes:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return b"\n".join(out)


def pdf_text(data: bytes, tmp_path) -> str | None:
    """The PDF's text through pypdf or pdftotext, if either is installed."""
    try:
        from pypdf import PdfReader
    except ImportError:
        pass
    else:
        import io

        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        path = tmp_path / "out.pdf"
        path.write_bytes(data)
        command = [pdftotext, "-enc", "UTF-8", str(path), "-"]
        return subprocess.run(command, capture_output=True, check=True, text=True).stdout
    return None


def test_render_pdf_returns_a_pdf(pdf_templates):
    data = render_pdf("test_pdf/doc.html", {"title": "Ofertă", "body": "Conținut"})
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


def test_romanian_diacritics_render_with_the_embedded_font(pdf_templates, tmp_path):
    with mock.patch("portal.pdf.static_file_for", wraps=static_file_for) as fetched:
        data = render_pdf("test_pdf/doc.html", {"title": "Factură", "body": DIACRITICS})

    # The font came from our static files, through the fetcher.
    fetched_urls = [call.args[0] for call in fetched.call_args_list]
    assert "https://portal.invalid/static/fonts/DejaVuSans.ttf" in fetched_urls
    streams = decompressed_streams(data)
    assert b"DejaVu" in data + streams

    text = pdf_text(data, tmp_path)
    if text is not None:
        assert DIACRITICS in text
        assert "Factură" in text
    else:
        # No text extractor installed: the ToUnicode map must map real glyphs (not .notdef, 0)
        # to Ș ț ă â î, i.e. the font had them and they were written to the page.
        for codepoint in ("0218", "021b", "0103", "00e2", "00ee"):
            match = re.search(rb"<([0-9a-f]{4})> <" + codepoint.encode() + rb">", streams, re.I)
            assert match, f"U+{codepoint} missing from the PDF's ToUnicode map"
            assert int(match.group(1), 16) != 0


def test_user_text_is_escaped_not_interpreted(pdf_templates):
    with mock.patch("portal.pdf.static_file_for", wraps=static_file_for) as fetched:
        data = render_pdf("test_pdf/doc.html", {"title": "x", "body": '<img src="file:///etc/passwd">'})
    assert data.startswith(b"%PDF")
    assert "file:///etc/passwd" not in [call.args[0] for call in fetched.call_args_list]


@pytest.mark.parametrize(
    "src", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "/static/../manage.py", "/static//etc/passwd"]
)
def test_a_template_cannot_make_the_renderer_fetch_outside_static(pdf_templates, src):
    with mock.patch("portal.pdf.static_file_for", wraps=static_file_for) as fetched:
        data = render_pdf("test_pdf/fetches.html", {"src": src})

    assert data.startswith(b"%PDF")
    assert b"root:" not in data + decompressed_streams(data)
    assert b"from django" not in data + decompressed_streams(data)
    # The refused URL went through our fetcher, and the static image was served.
    urls = [call.args[0] for call in fetched.call_args_list]
    assert "https://portal.invalid/static/img/favicon.svg" in urls
    assert any(src.rsplit("/", 1)[-1] in url for url in urls)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/static/css/portal.css",
        "http://portal.invalid/static/css/portal.css",
        "https://portal.invalid:8443/static/css/portal.css",
        "https://user@portal.invalid/static/css/portal.css",
        "https://portal.invalid/static/../settings.py",
        "https://portal.invalid/static/../portal/settings.py",
        "https://portal.invalid/static/%2e%2e/portal/settings.py",
        "https://portal.invalid/static/css/..%2f..%2fportal/settings.py",
        "https://portal.invalid/static/css/nonexistent.css",
        "https://portal.invalid/media/secret.pdf",
        "https://portal.invalid/manage.py",
        "data:text/plain,hello",
        "ftp://portal.invalid/static/css/portal.css",
    ],
)
def test_static_file_for_refuses(url):
    with pytest.raises(FetchRefused):
        static_file_for(url)


@pytest.mark.parametrize(
    "url", ["https://portal.invalid/static//etc/passwd", "https://portal.invalid/static/%2Fetc%2Fpasswd"]
)
def test_static_file_for_refuses_absolute_paths(url):
    # Refused by the staticfiles finder (SuspiciousFileOperation) before FetchRefused; either way no file.
    with pytest.raises((FetchRefused, SuspiciousFileOperation)):
        static_file_for(url)


def test_static_file_for_accepts_our_static_files(settings):
    path = static_file_for("https://portal.invalid/static/css/portal.css")
    assert path == settings.BASE_DIR / "static" / "css" / "portal.css"
    assert path.is_file()
    assert static_file_for("https://portal.invalid/static/fonts/DejaVuSans.ttf").name == "DejaVuSans.ttf"


def test_base_url_cannot_resolve():
    # ".invalid" is reserved (RFC 2606): a relative URL can never reach a real host.
    assert pdf.BASE_URL == "https://portal.invalid/"
