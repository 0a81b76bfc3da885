"""Admin list actions that run a service on each selected row and say what happened."""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError


def run_for_each(modeladmin, request, objects: Iterable, call: Callable, message: Callable[[int], str]) -> list:
    """``call(obj)`` for each object; a ValidationError is reported for that row and the others go on.

    Returns what the calls returned, for actions that go on to the one result (e.g. open it).
    """
    done = []
    for obj in objects:
        try:
            done.append(call(obj))
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
    if done:
        modeladmin.message_user(request, message(len(done)), messages.SUCCESS)
    return done


def run_service_for_each(
    modeladmin, request, objects: Iterable, service: Callable, *, argument: str, message: Callable[[int], str]
) -> list:
    """``service(<argument>=obj, by=request.user)`` for each object, as ``run_for_each`` does: the list actions
    of the back office that each call one service on the selected rows."""
    return run_for_each(modeladmin, request, objects, lambda obj: service(**{argument: obj}, by=request.user), message)
