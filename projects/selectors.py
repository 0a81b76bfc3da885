"""Reads for the project pages, each in a fixed number of queries whatever the number of tasks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.models import Company
from portal.rows import detail_url, short_date
from projects.models import Comment, Project, Task
from projects.progress import ProgressSums, progress_annotations, sums_from_annotations, sums_of

PROJECT_STATUS_ORDER = [Project.Status.IN_PROGRESS, Project.Status.PLANNED, Project.Status.SUSPENDED,
                        Project.Status.DONE, Project.Status.CANCELLED]


# --- the list ---------------------------------------------------------------------------------


def project_list(*, company: Company, status: str = "", query: str = "") -> QuerySet:
    """The company's projects, in progress first: plain rows, for the paginator (see ``list_rows``)."""
    projects = Project.objects.for_company(company)
    if status:
        projects = projects.filter(status=status)
    if query:
        projects = projects.filter(Q(name__icontains=query) | Q(code__icontains=query))
    status_rank = Case(*[When(status=s, then=Value(i)) for i, s in enumerate(PROJECT_STATUS_ORDER)],
                       default=Value(len(PROJECT_STATUS_ORDER)), output_field=IntegerField())
    return projects.annotate(status_rank=status_rank).order_by("status_rank", "-planned_start", "-id")


def with_progress(projects: QuerySet, *, today: date | None = None) -> QuerySet:
    """Annotates progress sums, task and late-task counts and the next open milestone: aggregates over
    the joined tasks and two correlated subqueries, so apply it to a few projects, not to all of them."""
    today = today or timezone.localdate()
    next_milestone = (Task.objects.filter(project=OuterRef("pk"), is_milestone=True).open()
                      .order_by("start", "position", "id"))
    open_statuses = [s for s in Task.Status if s not in Task.CLOSED]
    return projects.annotate(
        **progress_annotations(),
        task_count=Count("tasks", filter=Q(tasks__status__in=[s for s in Task.Status if s != Task.Status.CANCELLED])),
        late_task_count=Count("tasks", filter=Q(tasks__end__lt=today, tasks__status__in=open_statuses)),
        next_milestone_title=Subquery(next_milestone.values("title")[:1]),
        next_milestone_date=Subquery(next_milestone.values("start")[:1]),
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
    rows = []
    for project in projects:
        project.progress = sums_from_annotations(project).percent(project_done=project.status == Project.Status.DONE)
        project.next_milestone_late = bool(project.next_milestone_date and project.next_milestone_date < today)
        project.url = url(project.public_id)
        project.next_milestone_text = short_date(project.next_milestone_date)
        project.period_text = f"{short_date(project.planned_start)} – {short_date(project.planned_end)}"
        rows.append(project)
    return rows


# --- one project ------------------------------------------------------------------------------


def project_for(*, company: Company, public_id) -> Project:
    """Raises Project.DoesNotExist for another company's project, like an unknown id."""
    return Project.objects.for_company(company).select_related("contract", "offer").get(public_id=public_id)


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
    sums: ProgressSums

    @property
    def grouped(self) -> bool:
        return any(phase.name for phase in self.phases)

    def progress(self, *, project_done: bool = False) -> int:
        return self.sums.percent(project_done=project_done)

    @property
    def late_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.late]

    @property
    def milestones(self) -> list[Task]:
        return sorted((t for t in self.tasks if t.is_milestone), key=lambda t: (t.start, t.position, t.pk or 0))

    @property
    def upcoming_milestones(self) -> list[Task]:
        """Open milestones, the overdue ones first (they are flagged late)."""
        return [t for t in self.milestones if not t.is_closed]


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
    return Schedule(tasks=list(tasks), phases=ordered, edges=kept, today=today, sums=sums_of(tasks))


def project_schedule(*, project: Project, today: date | None = None) -> Schedule:
    """Two queries: the tasks, and the dependency pairs among them."""
    tasks = list(Task.objects.filter(project=project).select_related("client_contact")
                 .order_by("position", "start", "id"))
    through = Task.depends_on.through
    edges = through.objects.filter(from_task__project=project).values_list("to_task_id", "from_task_id")
    return build_schedule(tasks, edges, today=today or timezone.localdate())


def schedule_version(schedule: Schedule) -> str:
    """What the Gantt fragment (chart data and its table view) depends on besides the project and the
    language: the tasks (how many, the latest change), their dependencies and the day (late flags).
    Part of the fragment's cache key, so any change to a task shows at once."""
    latest = max((task.updated_at for task in schedule.tasks), default=None)
    edges = hash(tuple((task.pk, tuple(p.pk for p in task.predecessors)) for task in schedule.tasks))
    return f"{len(schedule.tasks)}-{latest.timestamp() if latest else 0}-{edges}-{schedule.today.isoformat()}"


# --- the tasks table --------------------------------------------------------------------------

TASK_SORTS = {
    "pozitie": lambda t: (t.position, t.start, t.pk or 0),
    "titlu": lambda t: (t.title.casefold(), t.pk or 0),
    "faza": lambda t: (t.phase.casefold(), t.position, t.pk or 0),
    "inceput": lambda t: (t.start, t.end, t.pk or 0),
    "sfarsit": lambda t: (t.end, t.start, t.pk or 0),
    "stare": lambda t: ([s.value for s in Task.Status].index(t.status), t.position, t.pk or 0),
    "progres": lambda t: (t.effective_progress, t.position, t.pk or 0),
}
TASK_FILTERS = {
    "intarziate": lambda t: t.late,
    "jaloane": lambda t: t.is_milestone,
    "deschise": lambda t: not t.is_closed,
}


def sort_tasks(tasks: Iterable[Task], *, sort: str = "", status: str = "") -> list[Task]:
    """Filter and sort the already loaded tasks: the table costs no query. ``sort`` may start with "-"."""
    if status in TASK_FILTERS:
        tasks = [t for t in tasks if TASK_FILTERS[status](t)]
    elif status:
        tasks = [t for t in tasks if t.status == status]
    descending = sort.startswith("-")
    key = TASK_SORTS.get(sort.lstrip("-"), TASK_SORTS["pozitie"])
    return sorted(tasks, key=key, reverse=descending)


# --- the conversation -------------------------------------------------------------------------


def recent_comments(*, project: Project, limit: int) -> tuple[list[Comment], int]:
    """The last ``limit`` messages, oldest first, and how many there are: two queries."""
    comments = Comment.objects.filter(project=project)
    recent = list(comments.select_related("author").order_by("-created_at", "-id")[:limit])
    return recent[::-1], comments.count()


def project_comments(*, project: Project) -> list[Comment]:
    return list(Comment.objects.filter(project=project).select_related("author")
                .prefetch_related("attachments__file").order_by("created_at", "id"))
