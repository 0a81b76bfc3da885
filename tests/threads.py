"""Races with real threads, for the tests that check a decision happens once under PostgreSQL's row locks.

``run_together`` starts each call in its own thread and releases them all at once with one barrier, so
they reach the database at the same moment; ``slow_down`` makes a function wait a moment before doing
its work, so a thread that holds a lock keeps it long enough for the others to run into it.
"""

import threading
import time
from collections.abc import Callable, Sequence

from django.db import connections

_NOT_DONE = object()


def run_together(calls: Sequence[Callable], *, timeout: float | None = 60) -> list:
    """Run each call in its own thread, all released together by one barrier.

    Returns, in the calls' order, what each call returned or the exception it raised (the test inspects
    what each thread got); a call still running ``timeout`` seconds after its thread is waited for shows as
    a ``TimeoutError``. Every thread closes its database connections when it is done.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [_NOT_DONE] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return [TimeoutError(f"still running after {timeout}s") if result is _NOT_DONE else result for result in results]


def slow_down(monkeypatch, target, name: str, seconds: float) -> None:
    """Make ``target.name`` sleep ``seconds`` before it runs (undone by ``monkeypatch`` after the test).

    Patch something the service calls inside its transaction (``audit.record``): the sleep then happens
    while the thread holds the row lock, so the other threads must wait for it instead of slipping past.
    """
    original = getattr(target, name)

    def slowed(*args, **kwargs):
        time.sleep(seconds)  # inside the transaction, holding the row lock: the others must wait
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, slowed)
