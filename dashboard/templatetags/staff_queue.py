from django import template

from dashboard.staff_queue import QueueLine, work_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_work_queue(context) -> list[QueueLine]:
    user = context["request"].user
    return work_queue(user) if user.is_active and user.is_staff else []
