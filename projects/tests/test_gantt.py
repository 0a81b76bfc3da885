"""The Gantt figure: plotly's schema, what it draws, Romanian hover text, escaping, speed."""

import time
from datetime import timedelta

import plotly.graph_objects as go
import pytest
from django.utils import translation

from projects.gantt import LATE_COLOUR, STATUS_COLOURS, gantt_payload
from projects.models import Project, Task
from projects.selectors import build_schedule
from projects.tests.factories import days, today


def project(**fields) -> Project:
    return Project(
        code="PRJ-2026-014", name="Implementare ERP", planned_start=days(-30), planned_end=days(60), **fields
    )


def task(
    pk, title, start, end, *, phase="", status=Task.Status.IN_PROGRESS, progress=0, milestone=False, **fields
) -> Task:
    return Task(
        pk=pk,
        title=title,
        phase=phase,
        position=pk,
        start=days(start),
        end=days(end),
        status=status,
        progress=progress,
        is_milestone=milestone,
        **fields,
    )


@pytest.fixture
def sample():
    tasks = [
        task(1, "Analiza proceselor", -30, -21, phase="Analiză", status=Task.Status.DONE, progress=100),
        task(2, "Aprobarea analizei", -20, -20, phase="Analiză", milestone=True, status=Task.Status.DONE),
        task(
            3,
            "Configurarea modulului Financiar",
            -19,
            -2,
            phase="Implementare",
            progress=60,
            responsible="Alina Munteanu",
        ),
        task(4, "Migrarea soldurilor", -10, 5, phase="Implementare", progress=25),
        task(
            5,
            "Pornirea în producție",
            10,
            10,
            phase="Punere în funcțiune",
            milestone=True,
            status=Task.Status.NOT_STARTED,
        ),
    ]
    edges = [(1, 2), (2, 3), (2, 4), (3, 5), (4, 5)]
    with translation.override("ro"):
        yield gantt_payload(project(), build_schedule(tasks, edges, today=today()))


def trace(payload, name):
    return next(t for t in payload["figure"]["data"] if t["name"] == name and t.get("mode") != "lines")


def test_the_figure_follows_plotlys_schema(sample):
    figure = go.Figure(sample["figure"])  # raises on any property plotly does not know
    assert len(figure.data) == 8


def test_rows_are_grouped_under_phase_headings(sample):
    phases, tasks = trace(sample, "phase-labels"), trace(sample, "task-labels")
    assert list(zip(phases["y"], phases["text"], strict=True)) == [
        (0, "Analiză"),
        (3, "Implementare"),
        (6, "Punere în funcțiune"),
    ]
    assert list(zip(tasks["y"], tasks["text"], strict=True)) == [
        (1, "Analiza proceselor"),
        (2, "◆ Aprobarea analizei"),
        (4, "Configurarea modulului Financiar"),
        (5, "Migrarea soldurilor"),
        (7, "◆ Pornirea în producție"),
    ]
    assert phases["textfont"]["weight"] == "bold" and phases["xaxis"] == tasks["xaxis"] == "x2"
    assert trace(sample, "Faze")["y"] == [0, 3, 6]
    # The first row is the top one, at the edge of the y range: no empty band above it.
    assert sample["figure"]["layout"]["yaxis"]["range"] == [7.5, -0.5]


def test_labels_are_whole_for_gantt_js_to_wrap():
    title = "Configurarea companiei, a gestiunilor și a punctelor de lucru din toate județele"
    payload = gantt_payload(project(), build_schedule([task(1, title, 0, 3)], [], today=today()))
    labels = trace(payload, "task-labels")
    assert labels["text"] == [title]  # never cut: at phone width gantt.js wraps it over several lines
    assert labels["x"] == [0] and labels["textposition"] == "middle right"  # left-aligned in their column
    assert payload["rows"] == {"row_px": 26, "line_px": 15} and payload["labels"]["compact_width"] == 576


def test_bars_are_coloured_by_status_with_the_done_fraction_and_late_outline(sample):
    bars = trace(sample, "Sarcini")
    assert bars["y"] == [1, 4, 5]
    assert bars["base"][0] == days(-30).isoformat() and bars["x"][0] == 10 * 86_400_000
    assert bars["marker"]["color"] == [
        STATUS_COLOURS[Task.Status.DONE],
        STATUS_COLOURS[Task.Status.IN_PROGRESS],
        STATUS_COLOURS[Task.Status.IN_PROGRESS],
    ]
    assert bars["marker"]["line"]["color"][1] == LATE_COLOUR  # ended two days ago, 60 %
    assert bars["marker"]["line"]["width"][2] == 0
    done = trace(sample, "Realizat")
    assert done["y"] == [4, 5] and done["x"] == [18 * 86_400_000 * 60 // 100, 16 * 86_400_000 * 25 // 100]


def test_milestones_dependencies_and_today(sample):
    milestones = trace(sample, "Jaloane")
    assert milestones["marker"]["symbol"] == "diamond" and milestones["y"] == [2, 7]
    lines = next(t for t in sample["figure"]["data"] if t.get("mode") == "lines")
    assert lines["x"].count(None) == 5  # one elbow per dependency
    heads = trace(sample, "Dependențe")
    assert len(heads["x"]) == 5 and set(heads["marker"]["symbol"]) == {"triangle-right"}
    layout = sample["figure"]["layout"]
    today_line = [s for s in layout["shapes"] if s["type"] == "line" and s["x0"] == today().isoformat()]
    assert today_line and any(a["text"] == "Azi" for a in layout["annotations"])
    assert layout["yaxis"]["fixedrange"] and layout["xaxis"]["type"] == "date"  # zoom and pan on time only


def test_hover_text_is_romanian(sample):
    hover = trace(sample, "Sarcini")["hovertext"][1]
    assert "<b>Configurarea modulului Financiar</b>" in hover
    assert f"{days(-19):%d.%m.%Y} – {days(-2):%d.%m.%Y} (18 zile)" in hover
    assert "Stare: în lucru · <b>întârziată</b>" in hover and "Progres: 60 %" in hover
    assert "Responsabil: Alina Munteanu" in hover and "Depinde de: Aprobarea analizei" in hover
    assert sample["locale"]["format"]["shortMonths"][0] == "ian" and sample["config"]["locale"] == "ro"


def test_user_text_is_escaped():
    evil = task(1, "<img src=x onerror=alert(1)>", 0, 3, phase="<b>Fază</b>")
    payload = gantt_payload(project(), build_schedule([evil], [], today=today()))
    assert "<img" not in str(payload["figure"])
    assert trace(payload, "task-labels")["text"] == ["&lt;img src=x onerror=alert(1)&gt;"]


def test_phones_show_the_whole_project_so_every_row_has_its_bar():
    tasks = [task(1, "Primul", -200, -190), task(2, "Lung", -200, 200)]
    payload = gantt_payload(project(), build_schedule(tasks, [], today=today()))
    begin, end = payload["figure"]["layout"]["xaxis"]["range"]
    assert begin <= days(-200).isoformat() and end >= days(200).isoformat()
    assert "range" not in payload["compact"]  # no zoom on the weeks around today that leaves the first rows empty


def synthetic(count: int) -> tuple[list[Task], list[tuple[int, int]]]:
    phases = ["Analiză", "Proiectare", "Implementare", "Testare", "Instruire", "Punere în funcțiune"]
    tasks = []
    for i in range(count):
        start = -300 + (i * 7) % 600
        tasks.append(
            task(
                i + 1,
                f"Sarcina {i} — configurare",
                start,
                start + (0 if i % 15 == 0 else i % 30),
                phase=phases[i * 6 // count],
                milestone=i % 15 == 0,
                progress=i % 101,
                responsible="Radu Ene",
            )
        )
    return tasks, [(i, i + 1) for i in range(1, count)]


@pytest.mark.parametrize("count", [500, 2000])
def test_a_big_project_builds_fast(count):
    tasks, edges = synthetic(count)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        payload = gantt_payload(project(), build_schedule(tasks, edges, today=today()))
        best = min(best, time.perf_counter() - started)
    assert len(trace(payload, "Sarcini")["y"]) + len(trace(payload, "Jaloane")["y"]) == count
    # Measured about 5 ms for 500 tasks and 20 ms for 2,000; the bound only catches a regression
    # to per-point objects (go.Figure validation alone takes 150+ ms for 2,000).
    assert best < count * 0.0002 + 0.05


def test_a_project_before_today_has_no_today_line():
    old = project()
    old.planned_start, old.planned_end = today() - timedelta(days=400), today() - timedelta(days=300)
    payload = gantt_payload(old, build_schedule([task(1, "Vechi", -400, -300)], [], today=today()))
    assert not any(a["text"] == "Azi" for a in payload["figure"]["layout"]["annotations"])
