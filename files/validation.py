"""Upload checks: size, extension, and content that really is of that type.

The extension decides what we expect; the first bytes (and for images, Pillow) must agree.
A renamed executable, an HTML page behind a PNG header or an SVG are refused.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portal.money import format_file_size


@dataclass(frozen=True)
class FileType:
    content_type: str
    kind: str  # how the content is checked


ALLOWED: dict[str, FileType] = {
    "pdf": FileType("application/pdf", "pdf"),
    "png": FileType("image/png", "image"),
    "jpg": FileType("image/jpeg", "image"),
    "jpeg": FileType("image/jpeg", "image"),
    "gif": FileType("image/gif", "image"),
    "webp": FileType("image/webp", "image"),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml"),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml"),
    "pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml"),
    "odt": FileType("application/vnd.oasis.opendocument.text", "odf"),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", "odf"),
    "doc": FileType("application/msword", "ole"),
    "xls": FileType("application/vnd.ms-excel", "ole"),
    "txt": FileType("text/plain", "text"),
    "csv": FileType("text/csv", "text"),
    "zip": FileType("application/zip", "zip"),
    "dwg": FileType("application/acad", "dwg"),
}

# Archives (docx, xlsx, odt, zip...) are refused when they could be zip bombs for whoever opens them.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100  # uncompressed / compressed, checked once the content passes 1 MB
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
MARKUP_MARKERS = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body", b"javascript:")


def allowed_extensions_text() -> str:
    return ", ".join(sorted(ALLOWED))


def max_upload_size() -> int:
    return settings.FILES_MAX_UPLOAD_MB * 1024 * 1024


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_file")


def _looks_like_markup(head: bytes) -> bool:
    lowered = head.lower()
    return any(marker in lowered for marker in MARKUP_MARKERS)


def _zip_is_reasonable(members) -> bool:
    """No zip bomb: few members, a bounded unpacked size, no extreme compression ratio."""
    if len(members) > ZIP_MAX_MEMBERS:
        return False
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > ZIP_MAX_UNCOMPRESSED:
        return False
    return unpacked <= 1024 * 1024 or unpacked <= ZIP_MAX_RATIO * max(packed, 1)


def _check_content(kind: str, uploaded, head: bytes) -> bool:
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "image":
        from PIL import Image

        try:
            uploaded.seek(0)
            with Image.open(uploaded) as image:
                image.verify()
            return not _looks_like_markup(head)
        except Exception:  # Pillow raises many kinds of errors for a non-image
            return False
        finally:
            uploaded.seek(0)
    if kind in {"ooxml", "odf", "zip"}:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            uploaded.seek(0)
            with zipfile.ZipFile(uploaded) as archive:
                members = archive.infolist()
                names = {member.filename for member in members}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
            return False
        finally:
            uploaded.seek(0)
        if not _zip_is_reasonable(members):
            return False
        if kind == "ooxml":
            return "[Content_Types].xml" in names
        if kind == "odf":
            return "mimetype" in names
        return True
    if kind == "ole":
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if kind == "dwg":
        return head.startswith(b"AC10")
    if kind == "text":
        if b"\x00" in head or _looks_like_markup(head):
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is fine.
            if error.start < len(head) - 4:
                return False
        return True
    return False


def validate_upload(uploaded) -> FileType:
    """Raise ValidationError with a message for the form; return the file's type when it is fine."""
    name = PurePosixPath(uploaded.name or "").name
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if uploaded.size == 0:
        raise _refuse(_("Fișierul „%(name)s” este gol.") % {"name": name})
    if uploaded.size > max_upload_size():
        size, limit = format_file_size(uploaded.size), format_file_size(max_upload_size())
        if size == limit:  # 20.3 MB reads "20 MB" like the limit: say by how much
            size = f"{number_format(Decimal(uploaded.size) / 2**20, 2)} MB"
        raise _refuse(
            _("Fișierul „%(name)s” are %(size)s; limita este %(limit)s.") % {"name": name, "size": size, "limit": limit}
        )
    file_type = ALLOWED.get(extension)
    if file_type is None:
        raise _refuse(
            _(
                "Fișierul „%(name)s” nu poate fi încărcat: fișierele .%(ext)s nu sunt acceptate. "
                "Tipuri acceptate: %(allowed)s."
            )
            % {"name": name, "ext": extension or "?", "allowed": allowed_extensions_text()}
        )
    uploaded.seek(0)
    head = uploaded.read(4096)
    uploaded.seek(0)
    if head.startswith(EXECUTABLE_MAGIC) or not _check_content(file_type.kind, uploaded, head):
        raise _refuse(
            _(
                "Conținutul fișierului „%(name)s” nu corespunde unui fișier .%(ext)s. "
                "Verificați că ați ales fișierul corect."
            )
            % {"name": name, "ext": extension}
        )
    return file_type
