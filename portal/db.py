"""What a database error means for the user, and one retry for a transaction that lost a race.

PostgreSQL ends one of two transactions that wait for each other's row locks (deadlock, SQLSTATE
40P01) and, under a stricter isolation, one that would break serialisability (40001). Both are
``OperationalError`` to Django, like a server that cannot be reached, but they mean "someone else
changed the same rows just now", not "the database is down":

- ``retry_on_conflict`` runs a whole atomic service call once more when it lost such a race;
- ``is_conflict`` errors that remain (lost twice, or a lock timeout, 55P03) answer 409 with "try
  again" (portal/errors.py); only ``is_unreachable`` errors answer the 503 outage page.

Services lock rows with ``select_for_update(of=("self",))`` when they join related rows, and several
rows in a fixed order (by primary key), so a deadlock should not happen at all; the retry is the
second line of defence.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger("portal.db")

DEADLOCK = "40P01"
SERIALIZATION_FAILURE = "40001"
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout or NOWAIT

RETRYABLE = {DEADLOCK, SERIALIZATION_FAILURE}
CONFLICTS = RETRYABLE | {LOCK_NOT_AVAILABLE}
# The server cannot be reached or is going away: connection exceptions (class 08), shutdown or
# start-up in progress (57P01-57P03), no free connection slot (53300).
UNREACHABLE = {"57P01", "57P02", "57P03", "53300"}

F = TypeVar("F", bound=Callable)


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


@functools.cache
def _psycopg2_codes() -> dict[type, str]:
    try:
        from psycopg2._psycopg import sqlstate_errors
    except ImportError:  # pragma: no cover - psycopg2-binary is a requirement
        return {}
    return {cls: code for code, cls in sqlstate_errors.items()}


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error (Django's wrapper or the driver's), if it has one."""
    for item in _chain(error):
        code = getattr(item, "pgcode", None) or getattr(getattr(item, "diag", None), "sqlstate", None)
        if not code:
            code = _psycopg2_codes().get(type(item))  # an error built in code (tests) has no pgcode
        if code:
            return code
    return None


def _sqlite_message(error: BaseException) -> str | None:
    import sqlite3

    for item in _chain(error):
        if isinstance(item, sqlite3.Error):
            return str(item).lower()
    return None


def is_retryable(error: BaseException) -> bool:
    """A deadlock or serialisation failure: the transaction was rolled back and may simply run again."""
    return isinstance(error, OperationalError) and sqlstate(error) in RETRYABLE


def is_conflict(error: BaseException) -> bool:
    """Lost a race for rows someone else was changing (deadlock, serialisation, lock timeout)."""
    if not isinstance(error, OperationalError):
        return False
    if sqlstate(error) in CONFLICTS:
        return True
    message = _sqlite_message(error)
    return message is not None and "locked" in message  # SQLite (development): "database is locked"


def is_unreachable(error: BaseException) -> bool:
    """The database cannot be reached: refused, dropped, restarting, out of connection slots."""
    if isinstance(error, InterfaceError):
        return True  # "connection already closed"
    if not isinstance(error, OperationalError) or is_conflict(error):
        return False
    code = sqlstate(error)
    if code is not None:
        return code.startswith("08") or code in UNREACHABLE
    message = _sqlite_message(error)
    if message is not None:
        return "unable to open" in message
    # libpq's own failures ("could not connect", "server closed the connection unexpectedly")
    # carry no SQLSTATE: the server never answered.
    return True


def retry_on_conflict(func: F) -> F:
    """Run ``func`` (an ``@transaction.atomic`` service) once more if it lost a deadlock.

    Put it outside ``transaction.atomic``: a retry must start a new transaction. Called inside an
    outer transaction (another service, a test's transaction), it does not retry — the outer
    transaction is already rolled back and the outermost retry, if any, runs it again.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except OperationalError as error:
            if not is_retryable(error):
                raise
            logger.warning(
                "event=transaction_retried function=%s.%s sqlstate=%s",
                func.__module__,
                func.__qualname__,
                sqlstate(error),
            )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
