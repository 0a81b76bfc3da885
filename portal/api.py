"""What every section's ``api.py`` needs from the floor (integrations/ assembles the API above the
sections, so they never import it): the scope check of the calling key and the errors it raises."""

from __future__ import annotations


class Forbidden(Exception):
    """The key is good but may not do this (its scope or its network): 403."""


class Conflict(Exception):
    """A change the portal refuses (an issued invoice's fiscal fields, a kept original): 409 with the reason."""


def require(request, resource: str, *, write: bool = False):
    """The calling integration, if its key holds ``resource:read`` (or ``:write``); else 403."""
    integration = request.auth
    scope = f"{resource}:{'write' if write else 'read'}"
    if not integration.allows(scope):
        raise Forbidden(scope)
    return integration
