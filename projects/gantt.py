"""The Gantt chart of a project, as a plotly figure in plain dicts and lists.

Why plain dicts: the figure follows plotly's schema (``plotly.graph_objects.Figure(payload_figure)``
accepts it, see the tests) but building ``go.Figure`` objects validates every property of every
point and applies the default template, which costs tens of milliseconds per thousand tasks; lists
of strings and numbers cost about one. The page passes the payload with ``json_script`` and
``static/js/gantt.js`` draws it with ``Plotly.newPlot``.

Layout of the chart: one row per task, grouped under a heading row per phase (a thin summary bar
spanning the phase); bars coloured by status with a darker inner bar for the done fraction; late
tasks outlined in red; milestones as diamonds; dependencies as elbow lines from the end of the
predecessor to the start of the successor, ending in an arrowhead; a dotted line for today and a
dashed one for the planned end of the project. Only the time axis zooms and pans.

The figure counts rows in row units (row 0 at the top). gantt.js lays it out for the page's width: it wraps
every label whole (never cut) over as many lines as it needs, gives each row the height of its label, puts
the labels in a column left of the bars at desktop width and above each bar at phone width, and draws the
date axis in a separate strip that stays in view while the page scrolls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import get_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from projects.models import Project, Task
from projects.selectors import Schedule

DAY_MS = 86_400_000
ROW_PX = 26  # a row with a one-line label
LINE_PX = 15  # each further line of a wrapped label
LABEL_PX = 290  # the labels' column at desktop width (at phone width each label is above its bar)
COMPACT_WIDTH_PX = 576  # below this chart width: phone layout (gantt.js)
LABEL_DOMAIN = 0.28  # the column's share before gantt.js sizes it

STATUS_COLOURS = {
    Task.Status.NOT_STARTED: "#6c757d",
    Task.Status.IN_PROGRESS: "#0d6efd",
    Task.Status.ON_HOLD: "#e8590c",
    Task.Status.DONE: "#198754",
    Task.Status.CANCELLED: "#ced4da",
}
LATE_COLOUR = "#dc3545"
MILESTONE_COLOUR = "#6f42c1"
PHASE_COLOUR = "#343a40"
DEPENDENCY_COLOUR = "#6c757d"
DONE_OVERLAY = "rgba(0, 0, 0, 0.38)"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def _d(day: date) -> str:
    # The portal's date format in every language (portal/formats): 27.11.2026. Django's
    # date_format costs 25 µs a call, a tenth of the whole figure for 2,000 tasks.
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Words:
    """Translated words, looked up once per figure rather than once per task."""

    def __init__(self):
        self.status = {s.value: str(s.label) for s in Task.Status}
        self.phase = _("Fază")
        self.status_label = _("Stare")
        self.progress = _("Progres")
        self.responsible = _("Responsabil")
        self.contact = _("Contact client")
        self.depends = _("Depinde de")
        self.late = _("întârziată")
        self.milestone = _("Jalon")
        self.other_tasks = _("Alte sarcini")
        self._days: dict[int, str] = {}

    def days(self, count: int) -> str:
        if count not in self._days:
            self._days[count] = ngettext("%(count)d zi", "%(count)d zile", count) % {"count": count}
        return self._days[count]


def _task_hover(task: Task, words: _Words) -> str:
    lines = [f"<b>{escape(task.title, quote=False)}</b>"]
    if task.phase:
        lines.append(f"{words.phase}: {escape(task.phase, quote=False)}")
    if task.is_milestone:
        lines.append(f"{words.milestone}: {_d(task.start)}")
    else:
        lines.append(f"{_d(task.start)} – {_d(task.end)} ({words.days(task.duration_days)})")
    status = words.status[task.status]
    if task.late:
        status += f" · <b>{words.late}</b>"
    lines.append(f"{words.status_label}: {status}")
    if not task.is_milestone:
        lines.append(f"{words.progress}: {task.effective_progress} %")
    if task.responsible:
        lines.append(f"{words.responsible}: {escape(task.responsible, quote=False)}")
    if task.client_contact_id and task.client_contact is not None:
        lines.append(f"{words.contact}: {escape(str(task.client_contact), quote=False)}")
    if task.predecessors:
        names = ", ".join(escape(_clip(p.title, 40), quote=False) for p in task.predecessors[:3])
        if len(task.predecessors) > 3:
            names += " " + _("și încă %(count)d") % {"count": len(task.predecessors) - 3}
        lines.append(f"{words.depends}: {names}")
    return "<br>".join(lines)


def _locale() -> dict:
    """plotly.js has no Romanian locale in its bundle: we hand it month and day names from Django's
    catalogue and the modebar's tooltips from ours."""
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    return {
        "name": get_language() or "ro",
        "dictionary": {
            "Zoom": _("Mărire pe zonă"),
            "Pan": _("Deplasare"),
            "Zoom in": _("Mărește"),
            "Zoom out": _("Micșorează"),
            "Reset axes": _("Tot proiectul"),
            "Autoscale": _("Încadrează tot"),
            "Download plot as a PNG": _("Descarcă imaginea (PNG)"),
            "Download plot": _("Descarcă imaginea"),
            "Double-click to zoom back out": _("Dublu clic pentru tot proiectul"),
        },
        "format": {
            "days": [str(WEEKDAYS[i]) for i in sunday_first],
            "shortDays": [str(WEEKDAYS_ABBR[i]) for i in sunday_first],
            "months": [str(MONTHS[i]) for i in range(1, 13)],
            "shortMonths": [str(MONTHS_3[i]) for i in range(1, 13)],
            "date": "%d.%m.%Y",
            "decimal": get_format("DECIMAL_SEPARATOR"),
            "thousands": get_format("THOUSAND_SEPARATOR"),
        },
    }


def _label_trace(labels: dict, meta: str, *, bold: bool = False) -> dict:
    """Row labels as a text trace on their own axis: plotly lays out 500 axis tick labels one
    measurement at a time (seconds); a text trace draws them in a few milliseconds. Whole labels: gantt.js
    wraps them to the column's width."""
    return {
        "type": "scatter",
        "mode": "text",
        "name": meta,
        "meta": meta,
        "xaxis": "x2",
        "yaxis": "y",
        "x": [0] * len(labels["y"]),
        "y": labels["y"],
        "text": labels["text"],
        "textposition": "middle right",
        "textfont": {"size": 12, "color": "#212529", "weight": "bold" if bold else "normal"},
        "hoverinfo": "skip",
        "cliponaxis": False,
        "showlegend": False,
    }


@dataclass
class _Rows:
    """Which row each task and phase heading takes, their labels, and the phases' background bands."""

    phase_labels: dict = field(default_factory=lambda: {"y": [], "text": []})
    task_labels: dict = field(default_factory=lambda: {"y": [], "text": []})
    bands: list[dict] = field(default_factory=list)
    of_task: dict[int, int] = field(default_factory=dict)
    phases: list[tuple[int, object]] = field(default_factory=list)
    count: int = 0


def _label(labels: dict, row: int, text: str) -> None:
    labels["y"].append(row)
    labels["text"].append(escape(text, quote=False))


def _layout_rows(schedule: Schedule, words: _Words) -> _Rows:
    """One row per task, under a heading row per phase when there are phases."""
    rows = _Rows()
    for index, phase in enumerate(schedule.phases):
        first_row = rows.count
        if schedule.grouped:
            rows.phases.append((rows.count, phase))
            _label(rows.phase_labels, rows.count, phase.name or words.other_tasks)
            rows.count += 1
        for task in phase.tasks:
            rows.of_task[task.pk] = rows.count
            _label(rows.task_labels, rows.count, ("◆ " if task.is_milestone else "") + task.title)
            rows.count += 1
        if schedule.grouped and index % 2 == 0:
            rows.bands.append(
                {
                    "type": "rect",
                    "xref": "paper",
                    "yref": "y",
                    "x0": 0,
                    "x1": 1,
                    "y0": first_row - 0.5,
                    "y1": rows.count - 0.5,
                    "fillcolor": "rgba(13, 110, 253, 0.05)",
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
    return rows


@dataclass
class _Marks:
    """Task bars (colours per point), the done fraction inside them, milestones, and where each
    task begins and ends on the time axis (for the dependency lines)."""

    bar: dict = field(
        default_factory=lambda: {
            "y": [],
            "base": [],
            "x": [],
            "colour": [],
            "line": [],
            "width": [],
            "pattern": [],
            "hover": [],
        }
    )
    done: dict = field(default_factory=lambda: {"y": [], "base": [], "x": [], "hover": []})
    milestone: dict = field(default_factory=lambda: {"y": [], "x": [], "colour": [], "hover": []})
    start_x: dict[int, str] = field(default_factory=dict)
    end_x: dict[int, str] = field(default_factory=dict)


def _task_marks(schedule: Schedule, rows: _Rows, words: _Words) -> _Marks:
    marks = _Marks()
    bar, done, milestone = marks.bar, marks.done, marks.milestone
    for task in schedule.tasks:
        row = rows.of_task[task.pk]
        hover = _task_hover(task, words)
        begin = task.start.isoformat()
        if task.is_milestone:
            at = begin + " 12:00"
            marks.start_x[task.pk] = marks.end_x[task.pk] = at
            milestone["y"].append(row)
            milestone["x"].append(at)
            milestone["colour"].append(
                STATUS_COLOURS[Task.Status.DONE] if task.is_done else LATE_COLOUR if task.late else MILESTONE_COLOUR
            )
            milestone["hover"].append(hover)
            continue
        length = task.duration_days * DAY_MS
        marks.start_x[task.pk] = begin
        marks.end_x[task.pk] = (task.end + timedelta(days=1)).isoformat()
        bar["y"].append(row)
        bar["base"].append(begin)
        bar["x"].append(length)
        bar["colour"].append(STATUS_COLOURS[task.status])
        bar["line"].append(LATE_COLOUR if task.late else "rgba(0, 0, 0, 0)")
        bar["width"].append(2.5 if task.late else 0)
        bar["pattern"].append("/" if task.status == Task.Status.CANCELLED else "")
        bar["hover"].append(hover)
        if 0 < task.effective_progress < 100:
            done["y"].append(row)
            done["base"].append(begin)
            done["x"].append(length * task.effective_progress // 100)
            done["hover"].append(hover)
    return marks


def _phase_bars(rows: _Rows, words: _Words) -> dict:
    """A thin summary bar spanning each phase."""
    phase_bar = {"y": [], "base": [], "x": [], "hover": []}
    for row, phase in rows.phases:
        phase_bar["y"].append(row)
        phase_bar["base"].append(phase.start.isoformat())
        phase_bar["x"].append(((phase.end - phase.start).days + 1) * DAY_MS)
        name = escape(phase.name or words.other_tasks, quote=False)
        phase_bar["hover"].append(
            f"<b>{name}</b><br>{_d(phase.start)} – {_d(phase.end)}<br>{words.progress}: {phase.progress} %<br>"
            + ngettext("%(count)d sarcină", "%(count)d sarcini", len(phase.tasks)) % {"count": len(phase.tasks)}
        )
    return phase_bar


def _dependency_lines(schedule: Schedule, rows: _Rows, marks: _Marks) -> tuple[dict, dict]:
    """Predecessor's end, down (or up) to the successor's row, across to its start; an arrowhead."""
    line = {"x": [], "y": []}
    head = {"x": [], "y": [], "symbol": []}
    for predecessor_id, successor_id in schedule.edges:
        x0, x1 = marks.end_x[predecessor_id], marks.start_x[successor_id]
        y0, y1 = rows.of_task[predecessor_id], rows.of_task[successor_id]
        line["x"] += [x0, x0, x1, None]
        line["y"] += [y0, y1, y1, None]
        head["x"].append(x1)
        head["y"].append(y1)
        head["symbol"].append("triangle-right" if x1 >= x0 else "triangle-left")
    return line, head


def _hover_bar(name: str, values: dict, width: float, marker: dict) -> dict:
    return {
        "type": "bar",
        "name": name,
        "orientation": "h",
        "y": values["y"],
        "base": values["base"],
        "x": values["x"],
        "width": width,
        "marker": marker,
        "hovertext": values["hover"],
        "hovertemplate": "%{hovertext}<extra></extra>",
    }


def _traces(rows: _Rows, marks: _Marks, phase_bar: dict, line: dict, head: dict) -> list[dict]:
    bar, milestone = marks.bar, marks.milestone
    return [
        _label_trace(rows.phase_labels, "phase-labels", bold=True),
        _label_trace(rows.task_labels, "task-labels"),
        _hover_bar(_("Faze"), phase_bar, 0.26, {"color": PHASE_COLOUR}),
        _hover_bar(
            _("Sarcini"),
            bar,
            0.64,
            {
                "color": bar["colour"],
                "line": {"color": bar["line"], "width": bar["width"]},
                "pattern": {"shape": bar["pattern"], "fgcolor": "#6c757d", "size": 6},
            },
        ),
        _hover_bar(_("Realizat"), marks.done, 0.28, {"color": DONE_OVERLAY}),
        {
            "type": "scatter",
            "name": _("Dependențe"),
            "mode": "lines",
            "x": line["x"],
            "y": line["y"],
            "line": {"color": DEPENDENCY_COLOUR, "width": 1.2},
            "hoverinfo": "skip",
            "connectgaps": False,
        },
        {
            "type": "scatter",
            "name": _("Dependențe"),
            "mode": "markers",
            "x": head["x"],
            "y": head["y"],
            "marker": {"symbol": head["symbol"], "size": 8, "color": DEPENDENCY_COLOUR},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "name": _("Jaloane"),
            "mode": "markers",
            "x": milestone["x"],
            "y": milestone["y"],
            "marker": {
                "symbol": "diamond",
                "size": 15,
                "color": milestone["colour"],
                "line": {"color": "#ffffff", "width": 1.5},
            },
            "hovertext": milestone["hover"],
            "hovertemplate": "%{hovertext}<extra></extra>",
        },
    ]


def _time_span(project: Project, schedule: Schedule) -> tuple[date, date, timedelta]:
    """The first and last day shown (tasks and the planned dates) and the padding around them."""
    starts = [t.start for t in schedule.tasks] + [project.planned_start]
    ends = [t.end for t in schedule.tasks] + [project.planned_end]
    first, last = min(starts), max(ends) + timedelta(days=1)
    return first, last, timedelta(days=max(2, (last - first).days // 40))


def _day_lines(project: Project, today: date, first: date, last: date, pad: timedelta) -> tuple[list, list]:
    """A dashed line for the planned end and a dotted one for today, when they fall in the span."""
    shapes, annotations = [], []
    for day, colour, dash, text, anchor in (
        (project.planned_end + timedelta(days=1), "#495057", "dash", _("Termen"), "right"),
        (today, LATE_COLOUR, "dot", _("Azi"), "center"),
    ):
        if first - pad <= day <= last + pad:
            x = day.isoformat()
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": x,
                    "x1": x,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": colour, "width": 2, "dash": dash},
                }
            )
            annotations.append(
                {
                    "x": x,
                    "xref": "x",
                    "y": 0,
                    "yref": "paper",
                    "yanchor": "top",
                    "xanchor": anchor,
                    "text": text,
                    "showarrow": False,
                    "font": {"color": colour, "size": 11},
                    "bgcolor": "rgba(255, 255, 255, 0.85)",
                }
            )
    return shapes, annotations


def _layout(project: Project, row_count: int, x_range: list[str], shapes: list, annotations: list) -> dict:
    return {
        "height": max(240, row_count * ROW_PX + 90),
        "margin": {"l": 8, "r": 16, "t": 64, "b": 24, "pad": 4},
        "font": {"family": FONT, "size": 12, "color": "#212529"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "barmode": "overlay",
        "showlegend": False,
        "hovermode": "closest",
        "hoverlabel": {
            "bgcolor": "#ffffff",
            "bordercolor": "#6c757d",
            "align": "left",
            "font": {"family": FONT, "size": 13, "color": "#212529"},
        },
        "dragmode": "zoom",
        "xaxis": {
            "type": "date",
            "side": "top",
            "domain": [LABEL_DOMAIN, 1],
            "range": x_range,
            "showgrid": True,
            "gridcolor": "#e9ecef",
            "zeroline": False,
            "showline": True,
            "linecolor": "#adb5bd",
            "ticks": "outside",
            "tickcolor": "#adb5bd",
            "tickformatstops": [
                {"dtickrange": [None, 7 * DAY_MS], "value": "%d %b"},
                {"dtickrange": [7 * DAY_MS, 28 * DAY_MS], "value": "%d %b"},
                {"dtickrange": [28 * DAY_MS, 360 * DAY_MS], "value": "%b %Y"},
                {"dtickrange": [360 * DAY_MS, None], "value": "%Y"},
            ],
        },
        "yaxis": {
            "range": [row_count - 0.5, -0.5],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "showticklabels": False,
            "ticks": "",
        },
        # The labels' column, left of the time axis; gantt.js sizes it in pixels for the page's width.
        "xaxis2": {"domain": [0, LABEL_DOMAIN - 0.01], "range": [0, 1], "visible": False, "fixedrange": True},
        "shapes": shapes,
        "annotations": annotations,
        "uirevision": str(project.public_id),
    }


def _config(project: Project) -> dict:
    return {
        "displaylogo": False,
        "showSendToCloud": False,  # nothing leaves the portal
        "showEditInChartStudio": False,
        "responsive": True,
        "scrollZoom": False,
        "locale": get_language() or "ro",
        "modeBarButtonsToRemove": [
            "select2d",
            "lasso2d",
            "autoScale2d",
            "toggleSpikelines",
            "hoverClosestCartesian",
            "hoverCompareCartesian",
        ],
        "toImageButtonOptions": {"filename": f"gantt-{project.code}".replace("/", "-"), "scale": 2},
    }


def gantt_payload(project: Project, schedule: Schedule) -> dict:
    """``{"figure": {data, layout}, "config": ..., "compact": ..., "locale": ...}`` for gantt.js."""
    words = _Words()
    rows = _layout_rows(schedule, words)
    marks = _task_marks(schedule, rows, words)
    line, head = _dependency_lines(schedule, rows, marks)
    data = _traces(rows, marks, _phase_bars(rows, words), line, head)
    first, last, pad = _time_span(project, schedule)
    day_shapes, annotations = _day_lines(project, schedule.today, first, last, pad)
    x_range = [(first - pad).isoformat(), (last + pad).isoformat()]
    layout = _layout(project, rows.count, x_range, [*rows.bands, *day_shapes], annotations)
    return {
        "figure": {"data": data, "layout": layout},
        "config": _config(project),
        "rows": {"row_px": ROW_PX, "line_px": LINE_PX},
        "labels": {"wide_px": LABEL_PX, "compact_width": COMPACT_WIDTH_PX},
        "compact": {"font_size": 11, "nticks": 5},
        "locale": _locale(),
    }
