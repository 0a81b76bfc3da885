from django import template

from portal.badges import badge_class as _badge_class

register = template.Library()


@register.filter
def badge_class(status: str, kind: str) -> str:
    """``{{ invoice.display_status|badge_class:"invoice" }}``: the classes a status is shown with."""
    return _badge_class(kind, status)
