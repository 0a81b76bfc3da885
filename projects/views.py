from functools import partial

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from files.responses import file_response, safe_filename
from files.selectors import documents_linked_to
from portal.paging import paginate, query_param, query_without
from portal.tenancy import company_member_required
from projects import selectors, services
from projects.forms import CommentForm, ProjectFilterForm, TaskFilterForm
from projects.gantt import gantt_payload
from projects.models import CommentAttachment, Project
from projects.progress import sums_from_annotations

PROJECTS_PER_PAGE = 20
TASKS_PER_PAGE = 50
RECENT_COMMENTS = 3
# Above this many tasks the project page links to the Gantt page instead of embedding the chart and its
# table (2,000 tasks: 2 MB of HTML and JSON, 0.6 s per request; see docs/PERFORMANCE.md).
GANTT_INLINE_TASKS = 500
GANTT_CACHE_SECONDS = 15 * 60

TASK_COLUMNS = [
    ("titlu", gettext_lazy("Sarcină")),
    ("faza", gettext_lazy("Fază")),
    ("inceput", gettext_lazy("Început")),
    ("sfarsit", gettext_lazy("Sfârșit")),
    ("stare", gettext_lazy("Stare")),
    ("progres", gettext_lazy("Progres")),
]


def _project(request: HttpRequest, public_id) -> Project:
    return get_object_or_404(
        Project.objects.for_company(request.company).select_related("contract"), public_id=public_id
    )


@require_safe
@company_member_required
def project_list(request: HttpRequest) -> HttpResponse:
    filters = ProjectFilterForm(request.GET or None)
    values = filters.values()
    projects = selectors.project_list(company=request.company, **values)
    page = paginate(
        request, projects, per_page=PROJECTS_PER_PAGE, rows=partial(selectors.list_rows, company=request.company)
    )
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "filters": filters,
            "is_filtered": any(values.values()),
            "query_string": query_without(request, "page"),
            "active_section": "projects",
        },
    )


def _sort_columns(request: HttpRequest, current: str) -> list[dict]:
    """Header links: a click sorts by the column, a second click reverses it."""
    columns = []
    for key, label in TASK_COLUMNS:
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else ""
        query = query_without(request, "page", "ordine", sort=f"-{key}" if current == key else key)
        columns.append({"key": key, "label": label, "url": f"?{query}#sarcini", "aria_sort": direction})
    return columns


@require_safe
@company_member_required
def detail(request: HttpRequest, public_id) -> HttpResponse:
    project = _project(request, public_id)
    today = timezone.localdate()
    # A fixed number of queries that each read a page of rows, whatever the project's size: the summary is
    # aggregated in SQL, the task table sorted and paged in SQL (docs/PERFORMANCE.md).
    summary = selectors.project_summary(project=project, today=today)
    task_table = _task_table_context(request, project, today)
    late, late_count = selectors.late_tasks(project=project, today=today)
    comments, comment_count = selectors.recent_comments(project=project, limit=RECENT_COMMENTS)
    documents = documents_linked_to(
        membership=request.membership, user=request.user, obj=project, page_number=query_param(request, "documents")
    )
    inline_gantt = 0 < summary.task_rows <= GANTT_INLINE_TASKS
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "summary": summary,
            "progress": _progress(summary),
            "milestones": selectors.upcoming_milestones(project=project, today=today),
            "late_tasks": late,
            "late_count": late_count,
            **task_table,
            "documents": documents,
            "comments": comments,
            "comment_count": comment_count,
            "gantt_html": _gantt_fragment(request, project, summary, today, full_page_link=True)
            if inline_gantt
            else "",
            "active_section": "projects",
        },
    )


def _task_table_context(request: HttpRequest, project: Project, today) -> dict:
    """The project page's task table: filtered by the query string, sorted by a column header, one page of it."""
    task_filters = TaskFilterForm(request.GET or None)
    values = task_filters.values()
    tasks = selectors.task_table(project=project, today=today, **values)
    task_page = paginate(request, tasks, per_page=TASKS_PER_PAGE, rows=partial(selectors.task_rows, today=today))
    return {
        "task_page": task_page,
        "page": task_page,  # for portal/pagination.html
        "task_filters": task_filters,
        "tasks_filtered": bool(values["status"]),
        "columns": _sort_columns(request, values["sort"]),
        "query_string": query_without(request, "page"),
    }


def _progress(summary: Project) -> int:
    return sums_from_annotations(summary).percent(project_done=summary.status == Project.Status.DONE)


def _gantt_fragment(request: HttpRequest, project: Project, summary: Project, today, *, full_page_link: bool) -> str:
    """The chart and its table view, rendered once per schedule stamp and language and then read from the
    cache: with 2,000 tasks loading them and building the chart costs ~60 ms, rendering ~0.5 s."""
    key = (
        f"projects:gantt:{project.pk}:{selectors.schedule_stamp(summary, today)}:"
        f"{translation.get_language()}:{int(full_page_link)}"
    )
    html = cache.get(key)
    if html is None:
        schedule = selectors.project_schedule(project=project, today=today)
        html = render_to_string(
            "projects/_gantt.html",
            {
                "project": project,
                "schedule": schedule,
                "gantt": gantt_payload(project, schedule),
                "full_page_link": full_page_link,
            },
            request=request,
        )
        cache.set(key, html, GANTT_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 — our own template's output, escaped when it was rendered


@require_safe
@company_member_required
def gantt(request: HttpRequest, public_id) -> HttpResponse:
    """The chart alone, across the whole width (large projects, phones in landscape, printing)."""
    project = _project(request, public_id)
    today = timezone.localdate()
    summary = selectors.project_summary(project=project, today=today)
    return render(
        request,
        "projects/gantt.html",
        {
            "project": project,
            "progress": _progress(summary),
            "gantt_html": _gantt_fragment(request, project, summary, today, full_page_link=False)
            if summary.task_rows
            else "",
            "active_section": "projects",
        },
    )


@company_member_required
def comments(request: HttpRequest, public_id) -> HttpResponse:
    """The project's conversation with the supplier; a message may carry attachments."""
    project = _project(request, public_id)
    form = CommentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.comment_add(
                    project=project, user=request.user, body=form.cleaned_data["body"], files=form.cleaned_data["files"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Mesajul a fost trimis managerului de proiect."))
                return redirect("projects:comments", public_id=project.public_id)
        status = 400
    return render(
        request,
        "projects/comments.html",
        {
            "project": project,
            "comments": selectors.project_comments(project=project),
            "form": form,
            "active_section": "projects",
        },
        status=status,
    )


@require_safe
@company_member_required
def attachment(request: HttpRequest, public_id, file_id) -> HttpResponse:
    attachment = get_object_or_404(
        CommentAttachment.objects.for_company(request.company).select_related("file", "comment__project"),
        comment__project__public_id=public_id,
        file__public_id=file_id,
    )
    services.attachment_downloaded(attachment=attachment, user=request.user)
    stored = attachment.file
    stem = stored.original_name.rsplit(".", 1)[0]
    return file_response(stored, filename=safe_filename(stem, stored.extension))
