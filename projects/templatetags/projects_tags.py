from django import template

from projects.gantt import LATE_COLOUR, MILESTONE_COLOUR, STATUS_COLOURS
from projects.models import Project, Task

register = template.Library()

_SUBTLE = "bg-{0}-subtle text-{0}-emphasis border border-{0}-subtle"

TASK_BADGES = {
    Task.Status.NOT_STARTED: _SUBTLE.format("secondary"),
    Task.Status.IN_PROGRESS: _SUBTLE.format("primary"),
    Task.Status.ON_HOLD: _SUBTLE.format("warning"),
    Task.Status.DONE: _SUBTLE.format("success"),
    Task.Status.CANCELLED: "bg-body-tertiary text-body-secondary border",
}


@register.filter
def project_badge(status: str) -> str:
    return Project.badge_for(status)


@register.filter
def task_badge(status: str) -> str:
    return TASK_BADGES.get(status, "text-bg-light border")


@register.filter
def progress_colour(status: str) -> str:
    return Project.progress_colour_for(status)


@register.simple_tag
def gantt_legend() -> dict:
    """The chart's colours, for the HTML legend beside it."""
    return {
        "statuses": [{"label": label, "colour": STATUS_COLOURS[value]} for value, label in Task.Status.choices],
        "late": LATE_COLOUR,
        "milestone": MILESTONE_COLOUR,
    }
