"""Tracking events from a carrier feed file (CSV or JSON), row by row, through services.event_record (the
path of the API's POST /shipments/tracking-events/bulk too: one validation for both).

A row is identified by the shipment number, or by the AWB (with the carrier code when AWBs of
different carriers could collide). Each row is saved in its own transaction: a rejected row saves
nothing and does not stop the others. Running the same file again adds nothing.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shipments import services
from shipments.models import Status

FIELDS = ("shipment", "awb", "carrier", "time", "status", "place", "note", "external_id")

FORMAT_HELP = """\
Format: CSV (UTF-8, first line the column names, separated by "," or ";") or JSON (a list of
objects, or {"events": [...]}), with these columns / keys:

  shipment     shipment number, e.g. EXP-2026-0142          (this or awb is required)
  awb          the carrier's AWB / tracking number           (this or shipment is required)
  carrier      carrier code, e.g. fan-courier, cargus, sameday, dpd, gls  (optional; checked
               against the shipment's carrier, and narrows the AWB search)
  time         when it happened: 2026-03-14T09:30:00+02:00, 2026-03-14 09:30 or 14.03.2026 09:30
               (without an offset: Romanian time)                         (required)
  status       in_pregatire, pregatita, expediata, in_tranzit, in_livrare, livrata,
               livrare_esuata, returnata - or the Romanian label, e.g. "în tranzit" (required)
  place        where, e.g. "Hub Ștefăneștii de Jos, Ilfov"               (optional)
  note         the carrier's remark                                        (optional)
  external_id  the carrier's own id of the event                           (optional)

An event already recorded is skipped: the same carrier and external_id, or the same shipment,
time and status. The shipment's status follows its latest event by time, whatever the order of
the rows.

Example (CSV):
  shipment,awb,carrier,time,status,place,note,external_id
  EXP-2026-0142,2150012345678,fan-courier,2026-03-14 09:30,in_tranzit,"Hub Ștefăneștii de Jos, Ilfov",,FC-88120
"""

TIME_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line or position, row) pairs; a file that cannot be read raises ValueError."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(_("JSON invalid: %(error)s") % {"error": error}) from error
        if isinstance(data, dict):
            data = data.get("events")
        if not isinstance(data, list):
            raise ValueError(_('JSON-ul trebuie să fie o listă de evenimente sau {"events": [...]}.'))
        return [
            (number, row if isinstance(row, dict) else {"_invalid": True}) for number, row in enumerate(data, start=1)
        ]
    if path.suffix.lower() == ".csv":
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        missing = {"time", "status"} - {name.strip().lower() for name in reader.fieldnames or []}
        if missing:
            raise ValueError(_("Lipsesc coloanele: %(columns)s.") % {"columns": ", ".join(sorted(missing))})
        return [(reader.line_num, {(k or "").strip().lower(): v for k, v in row.items()}) for row in reader]
    raise ValueError(_("Fișierul trebuie să fie .csv sau .json."))


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _status(value: str) -> str:
    plain = unicodedata.normalize("NFKD", value.strip().lower())
    code = "".join(c for c in plain if not unicodedata.combining(c)).replace(" ", "_").replace("-", "_")
    if code not in Status.values:
        raise ValidationError(
            _("starea „%(status)s” nu există (folosiți: %(known)s)")
            % {"status": value, "known": ", ".join(Status.values)}
        )
    return code


def _time(value: str) -> datetime:
    if not value:
        raise ValidationError(_("lipsește ora evenimentului (time)"))
    parsed = None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        for time_format in TIME_FORMATS:
            try:
                parsed = datetime.strptime(value, time_format)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValidationError(_("ora „%(time)s” nu poate fi citită (ex. 2026-03-14 09:30)") % {"time": value})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def import_rows(rows: list[tuple[int, dict]]) -> ImportReport:
    """Each row read (its status and time as a file writes them), then checked and saved by
    services.event_record, the API's path too."""
    report = ImportReport()
    for number, row in rows:
        try:
            if row.get("_invalid"):
                raise ValidationError(_("rândul nu este un obiect JSON"))
            _event, created = services.event_record(
                number=_text(row, "shipment"),
                awb=_text(row, "awb"),
                carrier_code=_text(row, "carrier"),
                status=_status(_text(row, "status")),
                occurred_at=_time(_text(row, "time")),
                place=_text(row, "place"),
                note=_text(row, "note"),
                external_id=_text(row, "external_id"),
            )
        except ValidationError as error:
            report.rejected.append((number, "; ".join(error.messages)))
            continue
        if created:
            report.created += 1
        else:
            report.skipped += 1
    return report
