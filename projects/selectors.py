"""Reads for the project pages, each in a fixed number of queries whatever the number of tasks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Company
from portal import search
from portal.badges import badge_class
from portal.rows import detail_url, short_date
from portal.summaries import Card, Summary, Urgent, count_of
from projects.models import Comment, Project, Task
from projects.progress import progress_annotations, sums_from_annotations, sums_of

PROJECT_STATUS_ORDER = [
    Project.Status.IN_PROGRESS,
    Project.Status.PLANNED,
    Project.Status.SUSPENDED,
    Project.Status.DONE,
    Project.Status.CANCELLED,
]


# --- the list ---------------------------------------------------------------------------------


def project_list(*, company: Company, status: str = "", query: str = "") -> QuerySet:
    """The company's projects, in progress first: plain rows, for the paginator (see ``list_rows``)."""
    projects = Project.objects.for_company(company)
    if status:
        projects = projects.filter(status=status)
    if query:
        projects = projects.filter(search.matches(query, "name", "code"))
    status_rank = Case(
        *[When(status=s, then=Value(i)) for i, s in enumerate(PROJECT_STATUS_ORDER)],
        default=Value(len(PROJECT_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return projects.annotate(status_rank=status_rank).order_by("status_rank", "-planned_start", "-id")


def with_progress(projects: QuerySet, *, today: date | None = None) -> QuerySet:
    """Annotates progress sums, task and late-task counts and the next open milestone: aggregates over
    the joined tasks and two correlated subqueries, so apply it to a few projects, not to all of them."""
    today = today or timezone.localdate()
    next_milestone = (
        Task.objects.filter(project=OuterRef("pk"), is_milestone=True).open().order_by("start", "position", "id")
    )
    return projects.annotate(
        **progress_annotations(),
        task_count=Count("tasks", filter=Q(tasks__status__in=[s for s in Task.Status if s != Task.Status.CANCELLED])),
        late_task_count=late_task_count(today),
        next_milestone_title=Subquery(next_milestone.values("title")[:1]),
        next_milestone_date=Subquery(next_milestone.values("start")[:1]),
    )


def late_task_count(today: date) -> Count:
    """A project's open tasks past their end, as an annotation (the list's cards, the admin's column)."""
    return Count(
        "tasks", filter=Q(tasks__end__lt=today, tasks__status__in=[s for s in Task.Status if s not in Task.CLOSED])
    )


def list_rows(projects: Iterable[Project], *, company: Company, today: date | None = None) -> list[Project]:
    """One page of ``project_list``, with ``with_progress`` for those projects only: two queries, whatever
    the number of the company's projects and tasks (aggregating every project to show 20 cost 3 ms with
    5,000 tasks and grows with them)."""
    page = list(projects)
    annotated = with_progress(Project.objects.for_company(company).filter(pk__in=[p.pk for p in page]), today=today)
    by_pk = {project.pk: project for project in annotated}
    return decorate_list_rows([by_pk[project.pk] for project in page], today=today)


def decorate_list_rows(projects: Iterable[Project], *, today: date | None = None) -> list[Project]:
    """Adds ``progress``, ``next_milestone_late`` and what a card shows, computed once (no queries)."""
    today = today or timezone.localdate()
    url = detail_url("projects:detail")
    statuses = dict(Project.Status.choices)
    rows = []
    for project in projects:
        project.progress = sums_from_annotations(project).percent(project_done=project.status == Project.Status.DONE)
        project.late = project.is_late_on(today)
        project.status_text = statuses.get(project.status, project.status)
        project.badge = badge_class("project", project.status)
        project.progress_colour = badge_class("project_progress", project.status)
        project.next_milestone_late = bool(project.next_milestone_date and project.next_milestone_date < today)
        project.url = url(project.public_id)
        project.next_milestone_text = short_date(project.next_milestone_date)
        project.period_text = f"{short_date(project.planned_start)} – {short_date(project.planned_end)}"
        rows.append(project)
    return rows


# --- one project ------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    tasks: list[Task] = field(default_factory=list)

    @property
    def start(self) -> date:
        return min(t.start for t in self.tasks)

    @property
    def end(self) -> date:
        return max(t.end for t in self.tasks)

    @property
    def progress(self) -> int:
        return sums_of(self.tasks).percent()


@dataclass
class Schedule:
    """A project's tasks in chart order, grouped by phase, with their predecessors."""

    tasks: list[Task]
    phases: list[Phase]
    edges: list[tuple[int, int]]  # (predecessor id, successor id)
    today: date

    @property
    def grouped(self) -> bool:
        return any(phase.name for phase in self.phases)

    @property
    def late_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.late]


def build_schedule(tasks: Sequence[Task], edges: Iterable[tuple[int, int]], *, today: date) -> Schedule:
    """Pure: groups tasks (already in position order) by phase in order of first appearance and
    sets ``task.late``, ``task.predecessors`` and ``task.successor_count`` on each."""
    by_id = {task.pk: task for task in tasks}
    for task in tasks:
        task.late = not task.is_closed and task.end < today
        task.predecessors = []
        task.successor_count = 0
    kept = []
    for predecessor_id, successor_id in edges:
        predecessor, successor = by_id.get(predecessor_id), by_id.get(successor_id)
        if predecessor is None or successor is None:
            continue
        successor.predecessors.append(predecessor)
        predecessor.successor_count += 1
        kept.append((predecessor_id, successor_id))
    phases: dict[str, Phase] = {}
    for task in tasks:
        phases.setdefault(task.phase.strip(), Phase(task.phase.strip())).tasks.append(task)
    ordered = list(phases.values())
    # Tasks without a phase go last, under "Alte sarcini", when the others have phases.
    ordered.sort(key=lambda phase: phase.name == "")
    return Schedule(tasks=list(tasks), phases=ordered, edges=kept, today=today)


def project_schedule(*, project: Project, today: date | None = None) -> Schedule:
    """Two queries: the tasks, and the dependency pairs among them."""
    tasks = list(
        Task.objects.filter(project=project).select_related("client_contact").order_by("position", "start", "id")
    )
    through = Task.depends_on.through
    edges = through.objects.filter(from_task__project=project).values_list("to_task_id", "from_task_id")
    return build_schedule(tasks, edges, today=today or timezone.localdate())


def project_summary(*, project: Project, today: date) -> Project:
    """The project with its progress sums, task counts and what its schedule's stamp needs, in one query
    whatever the number of tasks (aggregates over the tasks, two subqueries over the dependencies)."""
    edges = (
        Task.depends_on.through.objects.filter(from_task__project=OuterRef("pk"))
        .order_by()
        .values("from_task__project")
    )
    return (
        with_progress(Project.objects.for_company(project.company_id).filter(pk=project.pk), today=today)
        .annotate(
            task_rows=Count("tasks"),
            latest_task_change=Max("tasks__updated_at"),
            edge_count=Subquery(edges.annotate(n=Count("id")).values("n")),
            edge_mix=Subquery(edges.annotate(n=Sum(F("from_task_id") * F("to_task_id"))).values("n")),
        )
        .get()
    )


def schedule_stamp(summary: Project, today: date) -> str:
    """Changes with any task (added, changed, removed), any dependency and the day (late flags): the key of
    the cached Gantt fragment, so a change shows at once."""
    latest = summary.latest_task_change
    return (
        f"{summary.updated_at.timestamp()}-{summary.task_rows}-{latest.timestamp() if latest else 0}-"
        f"{summary.edge_count or 0}-{summary.edge_mix or 0}-{today.isoformat()}"
    )


# --- the tasks table --------------------------------------------------------------------------

_STATUS_RANK = Case(*[When(status=s, then=Value(i)) for i, s in enumerate(Task.Status)], output_field=IntegerField())
_EFFECTIVE_PROGRESS = Case(
    When(status=Task.Status.DONE, then=Value(100)), default=F("progress"), output_field=IntegerField()
)
TASK_SORTS = {
    "pozitie": ("position", "start", "id"),
    "titlu": (Lower("title"), "id"),
    "faza": (Lower("phase"), "position", "id"),
    "inceput": ("start", "end", "id"),
    "sfarsit": ("end", "start", "id"),
    "stare": (_STATUS_RANK, "position", "id"),
    "progres": (_EFFECTIVE_PROGRESS, "position", "id"),
}


def _descending(term):
    return term.desc() if hasattr(term, "desc") else f"-{term}"


def task_table(*, project: Project, today: date, sort: str = "", status: str = "") -> QuerySet:
    """The project's tasks for the table, filtered and sorted in SQL (``sort`` may start with "-"), so a page
    of 50 reads 50 rows whatever the project's size. ``task_rows`` adds the late flags."""
    tasks = Task.objects.filter(project=project).select_related("client_contact")
    if status == "intarziate":
        tasks = tasks.late(today)
    elif status == "jaloane":
        tasks = tasks.filter(is_milestone=True)
    elif status == "deschise":
        tasks = tasks.open()
    elif status:
        tasks = tasks.filter(status=status)
    order = TASK_SORTS.get(sort.lstrip("-"), TASK_SORTS["pozitie"])
    if sort.startswith("-"):
        order = tuple(_descending(term) for term in order)
    return tasks.order_by(*order)


def task_rows(tasks: Iterable[Task], *, today: date) -> list[Task]:
    """Tasks with their late flag and what a table row shows computed once (portal/rows.py)."""
    labels = dict(Task.Status.choices)
    tasks = list(tasks)
    for task in tasks:
        task.late = not task.is_closed and task.end < today
        task.start_text, task.end_text = short_date(task.start), short_date(task.end)
        task.status_label = labels.get(task.status, task.status)
    return tasks


def upcoming_milestones(*, project: Project, today: date, limit: int = 5) -> list[Task]:
    """The next open milestones, the overdue ones first (they are flagged late)."""
    milestones = Task.objects.filter(project=project, is_milestone=True).open().order_by("start", "position", "id")
    return task_rows(milestones[:limit], today=today)


def late_tasks(*, project: Project, today: date, limit: int = 5) -> tuple[list[Task], int]:
    """The first late tasks in plan order, and how many there are (one query: COUNT(*) OVER ())."""
    late = (
        Task.objects.filter(project=project)
        .late(today)
        .annotate(total_rows=Window(Count("pk")))
        .order_by("position", "start", "id")[:limit]
    )
    late = task_rows(late, today=today)
    return late, (late[0].total_rows if late else 0)


# --- the conversation -------------------------------------------------------------------------


def recent_comments(*, project: Project, limit: int) -> tuple[list[Comment], int]:
    """The last ``limit`` messages, oldest first, and how many there are (one query: COUNT(*) OVER ())."""
    recent = list(
        Comment.objects.filter(project=project)
        .select_related("author")
        .annotate(total_rows=Window(Count("pk")))
        .order_by("-created_at", "-id")[:limit]
    )
    return recent[::-1], (recent[0].total_rows if recent else 0)


def project_comments(*, project: Project) -> list[Comment]:
    return list(
        Comment.objects.filter(project=project)
        .select_related("author")
        .prefetch_related("attachments__file")
        .order_by("created_at", "id")
    )


# --- the dashboard ----------------------------------------------------------------------------------------


def dashboard_summary(company: Company, membership, *, today: date | None = None) -> Summary:
    """The projects in progress (the first eight, with their progress chart), the next milestone among
    them, and the projects' activity."""
    today = today or timezone.localdate()
    in_progress = Project.objects.for_company(company).filter(status=Project.Status.IN_PROGRESS)
    return Summary(
        figures={"count": count_of(in_progress)},
        card=lambda figures: _dashboard_card(company, figures["count"], today),
        feed={
            "project.milestone_reached": gettext_lazy("jalon atins în proiectul"),
            "project.commented": gettext_lazy("a scris în discuția proiectului"),
        },
    )


def _dashboard_card(company: Company, count: int, today: date) -> Card:
    in_progress = with_progress(project_list(company=company, status=Project.Status.IN_PROGRESS), today=today)
    active = decorate_list_rows(in_progress[:8], today=today) if count else []
    upcoming = [p for p in active if p.next_milestone_date]
    upcoming.sort(key=lambda p: p.next_milestone_date)
    first = upcoming[0] if upcoming else None
    return Card(
        "projects",
        _("Proiecte active"),
        "kanban",
        reverse("projects:list") + f"?status={Project.Status.IN_PROGRESS}",
        count,
        ngettext("proiect în desfășurare", "proiecte în desfășurare", count),
        _("Niciun proiect în desfășurare. Aici urmăriți progresul, sarcinile și diagrama Gantt."),
        urgent=Urgent(
            _("Următorul jalon: %(milestone)s (%(project)s), %(date)s")
            % {
                "milestone": first.next_milestone_title,
                "project": first.code,
                "date": short_date(first.next_milestone_date),
            },
            reverse("projects:detail", args=[first.public_id]),
        )
        if first
        else None,
        chart=_progress_chart(active),
        chart_rows=active,
    )


def _progress_chart(projects: list[Project]) -> dict | None:
    """Each active project's progress as a bar, the first on top; its code, name and progress on hover.
    The axis' ends stay inside the card: "100 %" needs the right margin, the codes grow the left one."""
    if not projects:
        return None
    names = [f"{p.code}" for p in projects][::-1]
    values = [p.progress for p in projects][::-1]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": values,
                "y": names,
                "marker": {"color": "#0b5ed7"},
                "text": [f"{v} %" for v in values],
                "textposition": "auto",
                "hovertemplate": "<b>%{y}</b> — %{customdata}<br>%{x} %<extra></extra>",
                "customdata": [p.name for p in projects][::-1],
            }
        ],
        "layout": {
            "height": 60 + 34 * len(projects),
            "margin": {"l": 8, "r": 24, "t": 10, "b": 8},
            "xaxis": {"range": [0, 100], "ticksuffix": " %", "fixedrange": True, "automargin": True},
            "yaxis": {"fixedrange": True, "automargin": True},
            "font": {"family": "system-ui, sans-serif", "size": 12},
            "hoverlabel": {"align": "left"},
        },
    }


# --- the global search ------------------------------------------------------------------------------------


def search_groups(company, membership, query: str, limit: int) -> list[search.Group]:
    """The projects (code or name) and the tasks (title) matching ``query``; a task links to its project."""
    projects = Project.objects.for_company(company).filter(search.matches(query, "code", "name"))
    tasks = Task.objects.for_company(company).filter(search.matches(query, "title")).select_related("project")
    project_url = detail_url("projects:detail")
    project_statuses, task_statuses = dict(Project.Status.choices), dict(Task.Status.choices)
    return [
        search.group(
            "projects",
            _("Proiecte"),
            "kanban",
            projects.order_by("-planned_start", "-id"),
            limit=limit,
            hit=lambda project: search.Hit(
                f"{project.code} — {project.name}",
                str(project_statuses.get(project.status, project.status)),
                project_url(project.public_id),
            ),
            list_url=search.list_url("projects:list", query),
        ),
        search.group(
            "tasks",
            _("Sarcini"),
            "list-check",
            tasks.order_by("-start", "-id"),
            limit=limit,
            hit=lambda task: search.Hit(
                task.title,
                f"{task.project.code} · {task_statuses.get(task.status, task.status)} · {short_date(task.start)}",
                f"{project_url(task.project.public_id)}#sarcini",
            ),
        ),
    ]
