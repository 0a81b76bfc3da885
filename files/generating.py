"""A stored document that is not there yet: its render task has not run (or is still running).

A download never renders in the request (a PDF takes a worker for a second or more, a large one many): it
answers a page saying the document is being generated, which reloads itself every few seconds, with
``Retry-After`` for any other client, and asks for the render task once. Several reloads, tabs or
colleagues ask for it once per ``ENQUEUE_AGAIN_SECONDS`` (a cache ``add``); after that a reload asks again,
in case the first message was lost with its worker. The render tasks are idempotent, so a second one that
does get through only finds the file kept.

Used by the invoice and offer PDFs and the order confirmation; the ready branch stays each view's own
``file_response`` call.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.tasks_util import send

REFRESH_SECONDS = 5
ENQUEUE_AGAIN_SECONDS = 120
# The page reloads the download URL with this parameter: once the file is there it is answered inline, so
# it replaces the page in the browser (an attachment would leave the page reloading and downloading again).
RELOAD_PARAMETER = "generat"


def reloaded_from_generating(request: HttpRequest) -> bool:
    """Whether the generating page's reload asked: the ready file should then open in the browser."""
    return RELOAD_PARAMETER in request.GET


def enqueue_once(task, *args, seconds: int = ENQUEUE_AGAIN_SECONDS) -> None:
    """Send ``task(*args)`` after commit unless it was sent in the last ``seconds``.

    The mark is taken after commit too: a request that is rolled back (the company-switch probe of
    portal/tenancy.py runs a view and undoes it) neither sends the task nor keeps the next one from going.
    """
    key = "generating:" + ":".join([task.name, *map(str, args)])

    def send_unless_sent() -> None:
        if cache.add(key, True, seconds):
            send(task, args)

    transaction.on_commit(send_unless_sent, robust=True)


def generating_response(
    request: HttpRequest,
    *,
    task,
    args: tuple,
    title: str,
    message: str,
    back_url: str,
    back_label: str,
    active_section: str,
) -> HttpResponse:
    """The "se generează" page for a document whose file is not kept yet; the render task asked for once."""
    enqueue_once(task, *args)
    response = render(
        request,
        "files/generating.html",
        {
            "title": title,
            "message": message,
            "back_url": back_url,
            "back_label": back_label,
            "refresh_seconds": REFRESH_SECONDS,
            "reload_url": f"{request.path}?{RELOAD_PARAMETER}=1",
            "active_section": active_section,
        },
    )
    # 200, not 202: the same URL answers with the file in a few seconds, and a link followed to another
    # company (portal/tenancy.py) or a bookmark treats it as the page it is.
    response["Retry-After"] = str(REFRESH_SECONDS)
    response["Cache-Control"] = "private, no-store"
    return response
