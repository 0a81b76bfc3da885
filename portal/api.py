"""What every section's ``api.py`` needs from the floor (integrations/ assembles the API above the
sections, so they never import it): the scope check of the calling key and the errors it raises."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Schema


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


class BulkResult(Schema):
    """What became of one object of a bulk push."""

    key: str = Field(..., description="The object in the ERP's own keys: 'SERIES NUMBER', 'CUI CODE'…")
    result: Literal["created", "updated", "unchanged", "rejected", "conflict"]
    status: int = Field(..., description="The HTTP status this object alone would have had")
    errors: list[str] = []


class BulkOut(Schema):
    results: list[BulkResult]


def error_messages(error: ValidationError) -> list[str]:
    """A refusal's messages for a bulk result, each prefixed with its field when it has one."""
    if hasattr(error, "error_dict"):
        return [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
    return error.messages
