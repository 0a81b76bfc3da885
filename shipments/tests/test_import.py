"""manage.py import_tracking_events: documented format, idempotent, rejected rows save nothing."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shipments.models import TrackingEvent
from shipments.tests.factories import CarrierFactory, ShipmentFactory


def stamp(hours_ago: float, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(timezone.now() - timedelta(hours=hours_ago)).strftime(fmt)


@pytest.fixture
def shipments(company_a, company_b):
    fan = CarrierFactory()
    cargus = CarrierFactory(code="cargus", name="Cargus", tracking_url_pattern="")
    return {
        "fan": ShipmentFactory(company=company_a, number="EXP-2026-0142", carrier=fan, awb="2150012345678"),
        "cargus": ShipmentFactory(company=company_b, number="EXP-2026-0143", carrier=cargus, awb="1098765432"),
    }


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_tracking_events", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def csv_file(tmp_path, delimiter=","):
    rows = [
        ["shipment", "awb", "carrier", "time", "status", "place", "note", "external_id"],
        # Out of order: the latest event comes first.
        ["EXP-2026-0142", "", "fan-courier", stamp(2), "in livrare", "Ploiești", "Curier: Andrei", "FC-3"],
        ["EXP-2026-0142", "", "", stamp(30), "expediata", "Depozit furnizor, Chiajna", "", "FC-1"],
        ["", "2150012345678", "fan-courier", stamp(20), "în tranzit", "Hub Ștefăneștii de Jos, Ilfov", "", "FC-2"],
        # By AWB, without a carrier event id: idempotent by (shipment, time, status).
        ["", "1098765432", "cargus", stamp(5, "%d.%m.%Y %H:%M"), "Expediată", "Cluj-Napoca", "", ""],
        # Rejected, each for its own reason.
        ["EXP-2026-9999", "", "", stamp(1), "in_tranzit", "", "", ""],
        ["EXP-2026-0142", "", "", "ieri la prânz", "in_tranzit", "", "", ""],
        ["EXP-2026-0142", "", "", stamp(1), "pierdută", "", "", ""],
        ["EXP-2026-0142", "", "cargus", stamp(1), "in_tranzit", "", "", ""],
        ["EXP-2026-0142", "", "", stamp(-48), "livrata", "", "", ""],
        ["", "", "", stamp(1), "livrata", "", "", ""],
    ]
    path = tmp_path / "evenimente.csv"
    path.write_text(
        "\n".join(delimiter.join(f'"{v}"' if "," in v else v for v in row) for row in rows), encoding="utf-8"
    )
    return path


def test_csv_import_then_again_adds_nothing(tmp_path, shipments):
    path = csv_file(tmp_path)
    out, err = run(path)
    assert "10 rânduri: 4 evenimente adăugate, 0 deja existente (sărite), 6 respinse." in out
    for line, reason in [
        (6, "EXP-2026-9999 nu există"),
        (7, "nu poate fi citită"),
        (8, "„pierdută” nu există"),
        (9, "nu este transportată de Cargus"),
        (10, "în viitor"),
        (11, "lipsește expedierea"),
    ]:
        assert f"respins rândul {line}: " in err and reason in err, (line, reason, err)
    fan, cargus = shipments["fan"], shipments["cargus"]
    fan.refresh_from_db()
    cargus.refresh_from_db()
    assert fan.status == "in_livrare" and fan.events.count() == 3
    assert cargus.status == "expediata" and cargus.events.get().place == "Cluj-Napoca"
    assert set(TrackingEvent.objects.values_list("source", flat=True)) == {"import"}
    assert fan.events.get(external_id="FC-1").carrier.code == "fan-courier"

    out, err = run(path)
    assert "4 deja existente (sărite), 6 respinse." in out and "0 evenimente adăugate" in out
    assert TrackingEvent.objects.count() == 4


def test_semicolon_csv_as_excel_writes_it(tmp_path, shipments):
    out, _err = run(csv_file(tmp_path, delimiter=";"))
    assert "4 evenimente adăugate" in out


def test_json_import_by_carrier_event_id(tmp_path, shipments):
    events = [
        {
            "awb": "2150012345678",
            "carrier": "fan-courier",
            "time": stamp(3, "%Y-%m-%dT%H:%M:%S"),
            "status": "livrare_esuata",
            "note": "Destinatar absent",
            "external_id": "FC-9",
        },
        {"shipment": "EXP-2026-0142", "time": "2026-01-01T10:00:00+02:00", "status": "pregatita"},
        "not an object",
    ]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"events": events}), encoding="utf-8")
    out, err = run(path)
    assert "2 evenimente adăugate" in out and "respins rândul 3: rândul nu este un obiect JSON" in err
    # The carrier re-sends its event with a corrected time: the same event (its id), nothing added.
    events[0]["time"] = stamp(2, "%Y-%m-%dT%H:%M:%S")
    path.write_text(json.dumps(events[:1]), encoding="utf-8")
    out, _err = run(path)
    assert "0 evenimente adăugate, 1 deja existente" in out
    shipment = shipments["fan"]
    shipment.refresh_from_db()
    assert shipment.status == "livrare_esuata"


def test_dry_run_saves_nothing(tmp_path, shipments):
    out, _err = run(csv_file(tmp_path), "--dry-run")
    assert "[simulare, nimic salvat]" in out and "4 evenimente adăugate" in out
    assert not TrackingEvent.objects.exists()
    shipments["fan"].refresh_from_db()
    assert shipments["fan"].status == "in_pregatire"


def test_unreadable_files_are_refused(tmp_path, db):
    with pytest.raises(CommandError, match="nu există"):
        run(tmp_path / "lipsa.csv")
    bad = tmp_path / "evenimente.txt"
    bad.write_text("x")
    with pytest.raises(CommandError, match=r"\.csv sau \.json"):
        run(bad)
    no_columns = tmp_path / "fara.csv"
    no_columns.write_text("shipment,awb\nEXP-1,123\n")
    with pytest.raises(CommandError, match="Lipsesc coloanele: status, time"):
        run(no_columns)
    broken = tmp_path / "rupt.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match="JSON invalid"):
        run(broken)


def test_the_help_documents_the_format():
    from shipments.management.commands.import_tracking_events import Command

    parser = Command().create_parser("manage.py", "import_tracking_events")
    text = parser.format_help()
    for word in (
        "shipment",
        "awb",
        "carrier",
        "time",
        "status",
        "place",
        "note",
        "external_id",
        "in_tranzit",
        "skipped",
    ):
        assert word in text
