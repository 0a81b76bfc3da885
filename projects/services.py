"""Writes for projects and tasks: every one validates, and the significant ones are audited.

Task changes go through ``tasks_save`` (one task or a whole admin formset): the rows are written,
then the project's whole dependency graph is checked once, so swapping two dependencies in one
save is fine while a cycle rolls everything back.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from files.services import store_upload
from portal import audit
from portal.db import retry_on_conflict
from portal.tasks_util import enqueue
from projects import tasks as jobs
from projects.models import Comment, CommentAttachment, Project, Task

# --- validation, shared with the admin forms -------------------------------------------------


def clean_project_fields(project: Project) -> None:
    errors = {}
    if project.planned_start and project.planned_end and project.planned_end < project.planned_start:
        errors["planned_end"] = _("Sfârșitul planificat nu poate fi înainte de început.")
    if project.actual_end and not project.actual_start:
        errors["actual_start"] = _("Completați începutul efectiv înainte de sfârșitul efectiv.")
    elif project.actual_start and project.actual_end and project.actual_end < project.actual_start:
        errors["actual_end"] = _("Sfârșitul efectiv nu poate fi înainte de început.")
    if project.contract_id and project.company_id and project.contract.company_id != project.company_id:
        errors["contract"] = _("Contractul aparține altei companii.")
    if project.offer_id and project.company_id and project.offer.company_id != project.company_id:
        errors["offer"] = _("Oferta aparține altei companii.")
    if errors:
        raise ValidationError(errors)


def clean_task_fields(task: Task, *, company_id: int | None = None) -> None:
    """Field rules of one task. Normalises a finished task to 100 %."""
    errors = {}
    if task.start and task.end:
        if task.end < task.start:
            errors["end"] = _("Sfârșitul nu poate fi înainte de început.")
        elif task.is_milestone and task.end != task.start:
            errors["end"] = _("Un jalon este un moment: începutul și sfârșitul trebuie să fie aceeași zi.")
    if task.progress is not None and not 0 <= task.progress <= 100:
        errors["progress"] = _("Progresul este un procent între 0 și 100.")
    company_id = company_id or task.company_id
    if (
        task.client_contact_id
        and company_id
        and not Membership.objects.active().filter(user_id=task.client_contact_id, company_id=company_id).exists()
    ):
        errors["client_contact"] = _("Persoana de contact trebuie să fie un membru activ al companiei clientului.")
    if errors:
        raise ValidationError(errors)
    if task.status == Task.Status.DONE:
        task.progress = 100


def find_cycle(edges: Iterable[tuple[int, int]]) -> list[int] | None:
    """A dependency cycle in ``(predecessor, successor)`` pairs, as a list of ids, or None."""
    graph: dict[int, list[int]] = {}
    for predecessor, successor in edges:
        graph.setdefault(predecessor, []).append(successor)
    state: dict[int, int] = {}  # 1 = on the current path, 2 = finished
    for root in list(graph):
        if state.get(root):
            continue
        path, stack = [root], [iter(graph.get(root, ()))]
        state[root] = 1
        while stack:
            node = next(stack[-1], None)
            if node is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(node) == 1:
                return [*path[path.index(node) :], node]
            elif not state.get(node):
                state[node] = 1
                path.append(node)
                stack.append(iter(graph.get(node, ())))
    return None


def cycle_error(cycle: Sequence[int], titles: dict[int, str]) -> ValidationError:
    names = " → ".join(f"„{titles.get(pk, '?')}”" for pk in cycle)
    return ValidationError(
        _("Dependențele formează un cerc: %(cycle)s. O sarcină nu poate depinde, direct sau indirect, de ea însăși.")
        % {"cycle": names},
        code="cycle",
    )


def check_graph_with(*, project_id: int, task_id: int, predecessors: Iterable[Task]) -> None:
    """Would the project's graph stay acyclic if ``task_id`` depended on exactly ``predecessors``?"""
    check_graph_after(project_id=project_id, predecessors_of={task_id: [task.pk for task in predecessors]})


def check_graph_after(
    *, project_id: int, predecessors_of: dict[int, Iterable[int]], deleted: Collection[int] = ()
) -> None:
    """Would the project's graph stay acyclic with these tasks' predecessors replaced (task id -> the ids it
    would depend on) and these tasks deleted? An admin page checks all its rows at once."""
    deleted = set(deleted)
    through = Task.depends_on.through
    stored = through.objects.filter(from_task__project_id=project_id).values_list("to_task_id", "from_task_id")
    edges = [(p, s) for p, s in stored if s not in predecessors_of and not {p, s} & deleted]
    edges += [(p, s) for s, predecessors in predecessors_of.items() for p in predecessors if p not in deleted]
    cycle = find_cycle(edges)
    if cycle:
        titles = dict(Task.objects.filter(pk__in=cycle).values_list("pk", "title"))
        raise cycle_error(cycle, titles)


def check_predecessors(task: Task, predecessors: Iterable[Task], *, project_id: int) -> None:
    errors = []
    for predecessor in predecessors:
        if task.pk and predecessor.pk == task.pk:
            errors.append(_("O sarcină nu poate depinde de ea însăși."))
        elif predecessor.project_id != project_id:
            errors.append(
                _(
                    "„%(title)s” aparține altui proiect: dependențele sunt permise doar între sarcinile "
                    "aceluiași proiect."
                )
                % {"title": predecessor.title}
            )
    if errors:
        raise ValidationError({"depends_on": errors})


# --- projects ---------------------------------------------------------------------------------


@transaction.atomic
def project_save(*, project: Project, by: User | None = None) -> Project:
    """Create or update a project (admin, imports). Audits creation and status changes."""
    clean_project_fields(project)
    before = Project.objects.select_for_update().filter(pk=project.pk).first() if project.pk else None
    project.save()
    if before is None:
        audit.record(action="project.created", company=project.company, user=by, obj=project)
    elif before.status != project.status:
        audit.record(
            action="project.status_changed",
            company=project.company,
            user=by,
            obj=project,
            before=before.status,
            after=project.status,
        )
    return project


# --- tasks ------------------------------------------------------------------------------------


@dataclass
class TaskChange:
    task: Task
    depends_on: Iterable[Task] | None = None  # None: leave the dependencies as they are


@transaction.atomic
def tasks_save(
    *, project: Project, changes: Sequence[TaskChange], deleted: Sequence[Task] = (), by: User | None = None
) -> list[Task]:
    """Write several tasks of one project, then check the project's dependency graph once."""
    # The row lock serialises concurrent edits of one project's graph.
    project = Project.objects.select_for_update().get(pk=project.pk)
    _adopt_and_clean(project, changes)
    # Read before the writes, to tell which milestones this save finishes.
    status_before = dict(
        Task.objects.filter(project=project, pk__in=[c.task.pk for c in changes if c.task.pk]).values_list(
            "pk", "status"
        )
    )
    for task in deleted:
        _check_same_project(task, project)
    if deleted:
        Task.objects.filter(project=project, pk__in=[t.pk for t in deleted]).delete()

    created = 0
    for change in changes:
        created += change.task.pk is None
        change.task.save()
    _set_predecessors(project, changes)

    _check_graph(project)

    audit.record(
        action="project.tasks_saved",
        company=project.company,
        user=by,
        obj=project,
        created=created,
        updated=len(changes) - created,
        deleted=len(deleted),
    )
    _announce_milestones_reached(project, changes, status_before, by)
    return [change.task for change in changes]


def _check_same_project(task: Task, project: Project) -> None:
    if task.project_id != project.pk:
        raise ValidationError(_("Sarcina „%(title)s” aparține altui proiect.") % {"title": task.title})


def _adopt_and_clean(project: Project, changes: Sequence[TaskChange]) -> None:
    """Put every task in the project and clean its fields; one error lists every task's problems."""
    errors: dict[str, list] = {}
    for change in changes:
        task = change.task
        if task.project_id:
            _check_same_project(task, project)
        task.project, task.company_id = project, project.company_id
        try:
            clean_task_fields(task)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(f"{task.title}: {m}" for m in messages)
    if errors:
        raise ValidationError(errors)


def _set_predecessors(project: Project, changes: Sequence[TaskChange]) -> None:
    for change in changes:
        if change.depends_on is None:
            continue
        wanted = list(change.depends_on)
        # Check against the database, not the objects we were handed.
        fresh = list(Task.objects.filter(pk__in=[t.pk for t in wanted]).only("pk", "project_id", "title"))
        check_predecessors(change.task, fresh, project_id=project.pk)
        change.task.depends_on.set(fresh)


def _announce_milestones_reached(
    project: Project, changes: Sequence[TaskChange], status_before: dict[int, str], by: User | None
) -> None:
    """Audit and notify each milestone this save marked done (not one that was done already)."""
    for change in changes:
        task = change.task
        if task.is_milestone and task.is_done and status_before.get(task.pk) != Task.Status.DONE:
            audit.record(
                action="project.milestone_reached",
                company=project.company,
                user=by,
                obj=project,
                milestone=task.title,
                task=str(task.public_id),
            )
            enqueue(jobs.notify_milestone_reached, task.pk)


def _check_graph(project: Project) -> None:
    through = Task.depends_on.through
    edges = list(through.objects.filter(from_task__project=project).values_list("to_task_id", "from_task_id"))
    cycle = find_cycle(edges)
    if cycle:
        titles = dict(Task.objects.filter(pk__in=cycle).values_list("pk", "title"))
        raise cycle_error(cycle, titles)


def task_create(
    *, project: Project, title: str, start, end, depends_on: Iterable[Task] = (), by: User | None = None, **fields
) -> Task:
    task = Task(project=project, company_id=project.company_id, title=title, start=start, end=end, **fields)
    return tasks_save(project=project, changes=[TaskChange(task, list(depends_on))], by=by)[0]


def task_update(*, task: Task, depends_on: Iterable[Task] | None = None, by: User | None = None, **fields) -> Task:
    for name, value in fields.items():
        setattr(task, name, value)
    return tasks_save(project=task.project, changes=[TaskChange(task, depends_on)], by=by)[0]


# --- client notifications about milestones ----------------------------------------------------


@transaction.atomic
def milestones_notify(*, project: Project, by: User | None = None) -> int:
    """Staff tell the client's members about the project's (changed) milestone schedule.

    Each call is one event: the audit entry's id keys the emails, so a retried task sends once.
    Returns the number of open milestones announced.
    """
    open_milestones = Task.objects.filter(project=project, is_milestone=True).open().count()
    if not open_milestones:
        raise ValidationError(_("Proiectul „%(project)s” nu are jaloane deschise de anunțat.") % {"project": project})
    entry = audit.record(
        action="project.milestones_notified", company=project.company, user=by, obj=project, milestones=open_milestones
    )
    enqueue(jobs.notify_milestone_schedule, project.pk, entry.pk)
    return open_milestones


# --- the project's conversation ---------------------------------------------------------------

MAX_COMMENT_ATTACHMENTS = 5


@retry_on_conflict
@transaction.atomic
def comment_add(
    *, project: Project, user: User | None, body: str, files: Sequence = (), from_supplier: bool = False
) -> Comment:
    """A message in the project's thread. A client's message is emailed to the project manager;
    the supplier's reply notifies the client's members."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Scrieți un mesaj.")})
    if len(files) > MAX_COMMENT_ATTACHMENTS:
        raise ValidationError(
            {"files": _("Puteți atașa cel mult %(count)d fișiere la un mesaj.") % {"count": MAX_COMMENT_ATTACHMENTS}}
        )
    comment = Comment.objects.create(
        company=project.company, project=project, author=user, body=body, from_supplier=from_supplier
    )
    for uploaded in files:
        try:
            stored = store_upload(company=project.company, uploaded=uploaded, user=user)
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from error
        CommentAttachment.objects.create(company=project.company, comment=comment, file=stored)
    audit.record(
        action="project.commented",
        company=project.company,
        user=user,
        obj=project,
        comment=str(comment.public_id),
        attachments=len(files),
        from_supplier=from_supplier,
    )
    if from_supplier:
        enqueue(jobs.notify_client_of_reply, comment.pk)
    else:
        enqueue(jobs.notify_manager_of_comment, comment.pk)
    return comment


def attachment_downloaded(*, attachment: CommentAttachment, user: User) -> None:
    audit.record(
        action="project.attachment_downloaded",
        company=attachment.company,
        user=user,
        obj=attachment.comment.project,
        file=attachment.file.original_name,
    )


# --- from the ERP -----------------------------------------------------------------------------

PROJECT_FIELDS = (
    "name",
    "description",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "manager_name",
    "manager_email",
    "manager_phone",
)
TASK_FIELDS = (
    "phase",
    "position",
    "title",
    "description",
    "start",
    "end",
    "is_milestone",
    "status",
    "progress",
    "responsible",
)


def _task_changes(project: Project, tasks: list[dict]) -> tuple[list[TaskChange], list[Task], bool]:
    """The ERP's plan as changes to the project's tasks (matched by their ERP key), the ERP tasks it no
    longer has, and whether anything differs from what is stored."""
    keys = [data["key"] for data in tasks]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValidationError(_("Cheile sarcinilor se repetă: %(keys)s.") % {"keys": ", ".join(repeated)})
    current = {task.erp_key: task for task in project.tasks.exclude(erp_key="").prefetch_related("depends_on")}
    by_key: dict[str, Task] = {}
    differs = False
    for position, data in enumerate(tasks, start=1):
        task = current.get(data["key"]) or Task(erp_key=data["key"])
        values = {name: data.get(name, getattr(task, name)) for name in TASK_FIELDS} | {"position": position}
        differs = differs or task.pk is None or any(getattr(task, n) != v for n, v in values.items())
        for name, value in values.items():
            setattr(task, name, value)
        by_key[data["key"]] = task
    changes = []
    for data in tasks:
        unknown = [key for key in data.get("depends_on", []) if key not in by_key]
        if unknown:
            raise ValidationError(
                _("Sarcina „%(title)s” depinde de sarcini necunoscute: %(keys)s.")
                % {"title": data["title"], "keys": ", ".join(unknown)}
            )
        task = by_key[data["key"]]
        wanted = [by_key[key] for key in data.get("depends_on", [])]
        if task.pk is None or {t.erp_key for t in task.depends_on.all()} != set(data.get("depends_on", [])):
            differs = True
        changes.append(TaskChange(task, wanted))
    gone = [task for key, task in current.items() if key not in by_key]
    return changes, gone, differs or bool(gone)


@transaction.atomic
def project_upsert(*, company, code: str, fields: dict, tasks: list[dict]) -> str:
    """The ERP's project, keyed by the company and its code, with its whole plan: tasks (phases, milestones,
    progress) keyed by the ERP's own task keys, dependencies between them; the ERP's tasks it no longer
    sends are removed, staff's own tasks are left. "created", "updated" or "unchanged"."""
    project = Project.objects.select_for_update().filter(company=company, code=code).first()
    created = project is None
    project = project or Project(company=company, code=code)
    project_differs = created or any(getattr(project, name) != value for name, value in fields.items())
    if project_differs:
        for name, value in fields.items():
            setattr(project, name, value)
        project_save(project=project)
    changes, gone, tasks_differ = _task_changes(project, tasks)
    if tasks_differ:
        tasks_save(project=project, changes=changes, deleted=gone)
    if not (project_differs or tasks_differ):
        return "unchanged"
    return "created" if created else "updated"
