"""Vocabulary of the access matrix; each app lists its routes in ``<app>/tests/access_routes.py``.

An app's module defines ``ROUTES`` (a list of ``Route``) and ``objects(cast) -> dict``
creating company A's objects its routes need (ids for URLs, data for POSTs). A route may be listed
again with a ``variant`` to check it on other objects (files' routes on a financial document).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# "deactivated": a user of company A (active membership) whose account was deactivated after they
# logged in; Django's auth then treats the session as anonymous, so by default they get the
# anonymous outcome.
VISITORS = ("anonymous", "owner_admin", "owner_member", "other_company", "pending", "deactivated", "staff")

# Redirect targets (anything else that is not an int is a URL name, or a path starting with "/").
LOGIN = "login"
PENDING = "pending"
ADMIN = "admin"
HOME = "home"
SAME = "same"  # back to the page itself


@dataclass
class Route:
    name: str
    get: dict[str, object]
    post: dict[str, object]
    kwargs: Callable[[dict], dict] = field(default=lambda objs: {})
    data: Callable[[dict], dict] = field(default=lambda objs: {})
    # A further case of a route already listed, on other objects (a financial document): "files:detail(financiar)".
    variant: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}({self.variant})" if self.variant else self.name


def section(*, right: str | None = None) -> dict:
    """A company page without an object in its URL (a list, a form for something new)."""
    return {
        "anonymous": LOGIN,
        "owner_admin": 200,
        "owner_member": 403 if right else 200,
        "other_company": 200,
        "pending": PENDING,
        "deactivated": LOGIN,
        "staff": ADMIN,
    }


def section_action(outcome: object, *, right: str | None = None) -> dict:
    """A POST creating something for the visitor's own company."""
    return {
        "anonymous": LOGIN,
        "owner_admin": outcome,
        "owner_member": 403 if right else outcome,
        "other_company": outcome,
        "pending": PENDING,
        "deactivated": LOGIN,
        "staff": ADMIN,
    }


def object_page(outcome: object, *, right: str | None = None) -> dict:
    """A page or action on one of company A's objects (public id in the URL).

    ``owner_member`` is the member of company A without any right: 403 when the route needs ``right``.
    """
    return {
        "anonymous": LOGIN,
        "owner_admin": outcome,
        "owner_member": 403 if right else outcome,
        "other_company": 404,
        "pending": 404,
        "deactivated": LOGIN,
        "staff": 404,
    }


def hidden_by_right(outcome: object) -> dict:
    """An object of company A that a right hides from members without it (a financial document without the
    billing right): ``owner_member`` gets 404, as for another company's object — the object is left out of
    every list and count they see, exactly like a document linked to an invoice."""
    return {**object_page(outcome), "owner_member": 404}


def everyone(outcome: object) -> dict:
    return dict.fromkeys(VISITORS, outcome)
