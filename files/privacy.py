"""files' part of a person's data export: the files they uploaded, listed and included (portal/privacy.py)."""

from pathlib import PurePosixPath

from django.utils.text import get_valid_filename

from files.models import StoredFile
from portal.privacy import ExportFile, ExportPart


def _zip_path(stored: StoredFile) -> str:
    name = get_valid_filename(PurePosixPath(stored.original_name).name) or "fisier"
    return f"fisiere/{stored.public_id}-{name}"


def export(user) -> ExportPart:
    uploads = list(StoredFile.objects.filter(uploaded_by=user).select_related("company").order_by("created_at"))
    return ExportPart(
        records={
            "fisiere_incarcate": [
                {
                    "nume": stored.original_name,
                    "companie": stored.company.name,
                    "tip": stored.content_type,
                    "marime": stored.size,
                    "incarcat_la": stored.created_at,
                    "in_arhiva": _zip_path(stored),
                }
                for stored in uploads
            ]
        },
        files=[ExportFile(path=_zip_path(stored), open=stored.file.open) for stored in uploads],
    )
