from django import template

from projects.gantt import LATE_COLOUR, MILESTONE_COLOUR, STATUS_COLOURS
from projects.models import Task

register = template.Library()


@register.simple_tag
def gantt_legend() -> dict:
    """The chart's colours, for the HTML legend beside it."""
    return {
        "statuses": [{"label": label, "colour": STATUS_COLOURS[value]} for value, label in Task.Status.choices],
        "late": LATE_COLOUR,
        "milestone": MILESTONE_COLOUR,
    }
