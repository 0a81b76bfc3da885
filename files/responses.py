"""Sending a private file: the one way any section answers with a stored file."""

from __future__ import annotations

import re
import unicodedata

from django.http import FileResponse, Http404

from files.models import StoredFile


def safe_filename(title: str, extension: str) -> str:
    """A server-built ASCII name: 'Ofertă nr. 12/2026' → 'Oferta-nr-12-2026.pdf'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:80] or "document"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())[:8]
    return f"{stem}.{extension}" if extension else stem


def file_response(stored: StoredFile, *, filename: str, inline: bool = False) -> FileResponse:
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as error:
        # The row outlived its file (storage restored from an older backup): a missing page, not a crash.
        raise Http404 from error
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A stored file is data, never a page: no scripts, no plugins, even if a browser guessed wrong.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    if inline and stored.content_type == "application/pdf":
        # Chromium's PDF viewer does not run in a sandboxed document.
        response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    return response
