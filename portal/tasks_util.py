from django.db import transaction


def enqueue(task, *args) -> None:
    """Run ``task.delay(*args)`` once the current transaction commits (now if there is none)."""
    transaction.on_commit(lambda: task.delay(*args))
