"""Project progress, derived from its tasks, the same way in Python and in SQL.

The rule (shown to clients in the page's help text):

- each task weighs its duration in calendar days (both ends included), so a 20-day installation
  counts ten times a 2-day training;
- a task's progress is its percentage, or 100 % once it is "finalizat";
- milestones weigh nothing: they are moments, and the work leading to them is already counted;
- cancelled tasks are left out;
- a project whose only tasks are milestones progresses by the share of milestones reached;
- a project without tasks shows 0 %, or 100 % once it is finalised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, F, Func, IntegerField, Q, Sum, Value, When

from projects.models import Task


@dataclass(frozen=True)
class ProgressSums:
    weight: int = 0  # sum of durations (days) of the counted non-milestone tasks
    weighted_done: int = 0  # sum of duration × progress (%)
    milestones: int = 0
    milestones_done: int = 0

    def percent(self, *, project_done: bool = False) -> int:
        if self.weight:
            return _round(self.weighted_done / self.weight)
        if self.milestones:
            return _round(100 * self.milestones_done / self.milestones)
        return 100 if project_done else 0


def _round(value: float) -> int:
    # Half up, not Python's half-to-even: 12.5 % shows as 13 %, the way people round.
    return max(0, min(100, int(value + 0.5)))


def sums_of(tasks: Iterable) -> ProgressSums:
    weight = weighted_done = milestones = milestones_done = 0
    for task in tasks:
        if task.status == Task.Status.CANCELLED:
            continue
        if task.is_milestone:
            milestones += 1
            milestones_done += task.is_done
        else:
            days = task.duration_days
            weight += days
            weighted_done += days * task.effective_progress
    return ProgressSums(weight, weighted_done, milestones, milestones_done)


def project_progress(tasks: Iterable, *, project_done: bool = False) -> int:
    return sums_of(tasks).percent(project_done=project_done)


class DaysBetween(Func):
    """``end - start`` in whole days, for two DateField expressions."""

    output_field = IntegerField()

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date - date is an integer number of days.
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


_COUNTED = [status for status in Task.Status if status != Task.Status.CANCELLED]


def progress_annotations(prefix: str = "tasks__") -> dict:
    """Aggregates giving ``ProgressSums`` per project, for ``Project.objects.annotate(**...)``."""
    counted = Q(**{f"{prefix}is_milestone": False}) & Q(**{f"{prefix}status__in": _COUNTED})
    milestone = Q(**{f"{prefix}is_milestone": True}) & Q(**{f"{prefix}status__in": _COUNTED})
    days = DaysBetween(F(f"{prefix}start"), F(f"{prefix}end")) + Value(1)
    percent = Case(
        When(**{f"{prefix}status": Task.Status.DONE}, then=Value(100)),
        default=F(f"{prefix}progress"),
        output_field=IntegerField(),
    )
    return {
        "progress_weight": Sum(days, filter=counted, default=0),
        "progress_weighted_done": Sum(days * percent, filter=counted, default=0),
        "progress_milestones": Count(f"{prefix}id", filter=milestone),
        "progress_milestones_done": Count(f"{prefix}id", filter=milestone & Q(**{f"{prefix}status": Task.Status.DONE})),
    }


def sums_from_annotations(obj) -> ProgressSums:
    return ProgressSums(
        obj.progress_weight or 0,
        obj.progress_weighted_done or 0,
        obj.progress_milestones or 0,
        obj.progress_milestones_done or 0,
    )
