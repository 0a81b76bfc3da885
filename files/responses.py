"""Sending a private file: the one way any section answers with a stored file.

Every view (and API route, and admin view) that hands out a stored file decides first (company,
right, audit entry) and then calls ``file_response``; how the bytes leave is the setting ``DOWNLOADS``:

- ``stream``: the worker reads the file and streams it (the default, and the only mode of ``make run``).
- ``presigned``: a 302 to a signed URL of the object (S3-compatible storage), valid
  ``DOWNLOADS_URL_SECONDS``, for that one object, with the Content-Disposition and type signed in.
- ``x-accel``: an empty answer with ``X-Accel-Redirect`` to nginx's ``internal`` location
  (``DOWNLOADS_ACCEL_PREFIX``) that sends the file from local disk (README "Downloads").

In the last two the worker is free again after a few milliseconds, whatever the file's size.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from files.models import StoredFile

SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# Chromium's PDF viewer does not run in a sandboxed document.
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"


def safe_filename(title: str, extension: str) -> str:
    """A server-built ASCII name: 'Ofertă nr. 12/2026' → 'Oferta-nr-12-2026.pdf'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:80] or "document"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())[:8]
    return f"{stem}.{extension}" if extension else stem


def file_response(stored: StoredFile, *, filename: str, inline: bool = False) -> HttpResponse:
    """The answer to an authorised download of a stored file, in the way ``settings.DOWNLOADS`` says."""
    return send_file(stored.file, filename=filename, content_type=stored.content_type, inline=inline)


def send_file(file: FieldFile, *, filename: str, content_type: str, inline: bool = False) -> HttpResponse:
    """Any private FileField's file (a StoredFile's, a data export's), once the caller has checked access."""
    mode = settings.DOWNLOADS
    if mode == "presigned":
        response = _presigned_redirect(file, filename=filename, content_type=content_type, inline=inline)
    elif mode == "x-accel":
        response = _accel_redirect(file, filename=filename, content_type=content_type, inline=inline)
    elif mode == "stream":
        response = _streamed(file, filename=filename, content_type=content_type, inline=inline)
    else:
        raise ImproperlyConfigured(f"DOWNLOADS={mode!r}: stream, presigned or x-accel.")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A stored file is data, never a page: no scripts, no plugins, even if a browser guessed wrong.
    response["Content-Security-Policy"] = PDF_CSP if inline and content_type == "application/pdf" else SANDBOX_CSP
    return response


def _streamed(file: FieldFile, *, filename: str, content_type: str, inline: bool) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        # The row outlived its file (storage restored from an older backup): a missing page, not a crash.
        raise Http404 from error
    return FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)


def _presigned_redirect(file: FieldFile, *, filename: str, content_type: str, inline: bool) -> HttpResponseRedirect:
    from storages.backends.s3 import S3Storage  # boto3 is loaded only where presigned URLs are made

    if not isinstance(file.storage, S3Storage):
        raise ImproperlyConfigured("DOWNLOADS=presigned needs the S3 storage (S3_BUCKET).")
    # No HEAD first: a missing object answers the storage's own 404 at the URL, the view stays one round trip.
    url = file.storage.url(
        file.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(not inline, filename),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        },
        expire=settings.DOWNLOADS_URL_SECONDS,
    )
    return HttpResponseRedirect(url)


def _accel_redirect(file: FieldFile, *, filename: str, content_type: str, inline: bool) -> HttpResponse:
    if not isinstance(file.storage, FileSystemStorage):
        raise ImproperlyConfigured("DOWNLOADS=x-accel needs private files on local disk (no S3_BUCKET).")
    if not file.storage.exists(file.name):
        raise Http404
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    # nginx sends the file and keeps Content-Type and Content-Disposition; the snippet in the README
    # copies the safety headers below from this answer ($upstream_http_…).
    response["X-Accel-Redirect"] = settings.DOWNLOADS_ACCEL_PREFIX + quote(file.name)
    return response
