"""Client pages: the list and a project's page, their filters, their query counts, ownership."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from files.tests.factories import DocumentFactory, pdf_upload
from portal.models import AuditEntry
from projects.models import Comment, Project, Task
from projects.tests.factories import CommentFactory, ProjectFactory, TaskFactory, attach, days, link
from projects.views import PROJECTS_PER_PAGE, TASKS_PER_PAGE

pytestmark = pytest.mark.django_db

# Measured: list 7 = session, user, memberships (3) + count and page (2) + the page's progress aggregates (1),
# one of headroom. Detail 12 = 3 + project, summary (progress, counts, schedule stamp), the task table's count
# and page, the late tasks, the next milestones, the last messages, the linked documents and the projects they
# link to. When the cached chart is stale (a task changed), 2 more: the tasks and their dependencies.
LIST_QUERIES = 8
DETAIL_QUERIES = 12
CHART_QUERIES = 2


def many_tasks(project, count: int, *, milestones_every: int = 10) -> list[Task]:
    phases = ["Analiză", "Proiectare", "Implementare", "Testare", "Instruire", "Punere în funcțiune"]
    tasks = TaskFactory.create_batch(
        count,
        project=project,
        phase=factory_phase(phases, count),
        start=days(-20),
        end=days(10),
        status=Task.Status.IN_PROGRESS,
    )
    for index, task in enumerate(tasks):
        if index % milestones_every == 0:
            task.is_milestone, task.end = True, task.start
            task.save(update_fields=["is_milestone", "end"])
    through = Task.depends_on.through
    through.objects.bulk_create([through(from_task=tasks[i], to_task=tasks[i - 1]) for i in range(1, count)])
    return tasks


def factory_phase(phases, count):
    import factory

    return factory.Iterator([phases[i * len(phases) // count] for i in range(count)])


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_progress_and_next_milestone(client, admin_a, company_a):
    project = ProjectFactory(company=company_a, name="Implementare ERP")
    TaskFactory(project=project, start=days(-10), end=days(-1), status=Task.Status.DONE)
    TaskFactory(
        project=project,
        title="Recepție",
        start=days(14),
        end=days(14),
        is_milestone=True,
        status=Task.Status.NOT_STARTED,
    )
    client.force_login(admin_a)

    response = client.get(reverse("projects:list"))

    html = response.content.decode()
    assert response.status_code == 200 and response.context["active_section"] == "projects"
    assert "Implementare ERP" in html and 'aria-valuenow="100"' in html
    assert "Recepție" in html and days(14).strftime("%d.%m.%Y") in html
    assert "plotly" not in html  # the chart library loads only on pages with a chart


def test_list_filters_by_status_and_text(client, admin_a, company_a):
    ProjectFactory(company=company_a, name="Implementare ERP", code="PRJ-1")
    ProjectFactory(company=company_a, name="Migrare date", code="PRJ-2", status=Project.Status.DONE)
    client.force_login(admin_a)

    def names(**params):
        return [p.name for p in client.get(reverse("projects:list"), params).context["page"]]

    assert names(status="finalizat") == ["Migrare date"]
    assert names(q="erp") == ["Implementare ERP"]
    assert names(q="PRJ-2") == ["Migrare date"]
    assert names(status="inexistent") == ["Implementare ERP", "Migrare date"]  # a bad filter shows all
    assert "Niciun proiect nu corespunde" in client.get(reverse("projects:list"), {"q": "nimic"}).content.decode()


def test_list_shows_open_projects_first(client, admin_a, company_a):
    ProjectFactory(company=company_a, name="Terminat", status=Project.Status.DONE, planned_start=days(10))
    ProjectFactory(company=company_a, name="Planificat", status=Project.Status.PLANNED)
    ProjectFactory(company=company_a, name="În lucru", status=Project.Status.IN_PROGRESS, planned_start=days(-90))
    client.force_login(admin_a)
    page = client.get(reverse("projects:list")).context["page"]
    assert [p.name for p in page] == ["În lucru", "Planificat", "Terminat"]


def test_list_empty_state(client, admin_a):
    client.force_login(admin_a)
    assert "Deocamdată nu există niciun proiect" in client.get(reverse("projects:list")).content.decode()


def test_list_shows_only_the_companys_projects(client, member_b, company_a):
    ProjectFactory(company=company_a, name="Proiect secret")
    client.force_login(member_b)
    assert "Proiect secret" not in client.get(reverse("projects:list")).content.decode()


def test_list_query_count_does_not_grow_with_rows(client, admin_a, company_a, django_assert_max_num_queries):
    for index in range(PROJECTS_PER_PAGE + 5):
        project = ProjectFactory(company=company_a)
        TaskFactory.create_batch(3, project=project)
        TaskFactory(
            project=project, is_milestone=True, start=days(index), end=days(index), status=Task.Status.NOT_STARTED
        )
    client.force_login(admin_a)
    client.get(reverse("projects:list"))  # warm the session
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("projects:list"))
    assert len(response.context["page"].object_list) == PROJECTS_PER_PAGE
    assert response.context["page"].paginator.num_pages == 2


# --- one project ------------------------------------------------------------------------------


def test_detail_shows_the_project(client, admin_a, company_a):
    project = ProjectFactory(
        company=company_a,
        name="Implementare ERP",
        manager_name="Ioana Marinescu",
        manager_email="ioana.marinescu@furnizor.ro",
        manager_phone="0721 000 100",
        actual_start=days(-28),
    )
    analysis = TaskFactory(project=project, title="Analiză", start=days(-20), end=days(-11), status=Task.Status.DONE)
    link(analysis, TaskFactory(project=project, title="Configurare", start=days(-10), end=days(9), progress=50))
    TaskFactory(
        project=project,
        title="Recepție",
        start=days(10),
        end=days(10),
        is_milestone=True,
        status=Task.Status.NOT_STARTED,
    )
    client.force_login(admin_a)

    response = client.get(project.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ioana Marinescu" in html and "mailto:ioana.marinescu@furnizor.ro" in html and "tel:0721000100" in html
    assert days(-28).strftime("%d.%m.%Y") in html  # actual start
    assert response.context["progress"] == round((10 * 100 + 20 * 50) / 30)
    assert [m.title for m in response.context["milestones"]] == ["Recepție"]
    # The chart: plotly.js from our static files, the figure as JSON data, no inline script.
    assert "/static/vendor/plotly/plotly.min.js" in html and "/static/js/gantt.js" in html
    assert '<script id="gantt-data" type="application/json">' in html
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", html)
    # The same data as a plain table.
    assert html.count('<th scope="rowgroup"') == 1 and "Depinde de" in html


def test_detail_without_tasks_has_no_chart(client, admin_a, company_a):
    project = ProjectFactory(company=company_a)
    client.force_login(admin_a)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "nu a adăugat încă sarcinile" in html and "plotly" not in html


def test_tasks_table_sorts_and_filters(client, admin_a, company_a):
    project = ProjectFactory(company=company_a)
    TaskFactory(project=project, title="Beta", start=days(1), end=days(3), position=1, status=Task.Status.DONE)
    TaskFactory(project=project, title="Alfa", start=days(2), end=days(9), position=2)
    TaskFactory(project=project, title="Gama", start=days(0), end=days(1), position=3, progress=10)
    client.force_login(admin_a)

    def titles(**params):
        response = client.get(project.get_absolute_url(), params)
        return [t.title for t in response.context["task_page"]]

    assert titles() == ["Beta", "Alfa", "Gama"]
    assert titles(sort="titlu") == ["Alfa", "Beta", "Gama"]
    assert titles(sort="-sfarsit") == ["Alfa", "Beta", "Gama"]
    assert titles(sort="inceput") == ["Gama", "Beta", "Alfa"]
    assert titles(sort="progres") == ["Gama", "Alfa", "Beta"]
    assert titles(status="finalizat") == ["Beta"]
    assert titles(status="deschise", sort="titlu") == ["Alfa", "Gama"]
    response = client.get(project.get_absolute_url(), {"sort": "titlu"})
    header = next(c for c in response.context["columns"] if c["key"] == "titlu")
    assert header["aria_sort"] == "ascending" and "sort=-titlu" in header["url"]


def test_the_old_romanian_parameter_names_still_filter_and_sort(client, admin_a, company_a):
    """Links in emails and bookmarks from before the rename (?stare=, ?ordine=) still work."""
    ProjectFactory(company=company_a, name="Implementare ERP")
    project = ProjectFactory(company=company_a, name="Migrare date", status=Project.Status.DONE)
    TaskFactory(project=project, title="Beta", position=1, status=Task.Status.DONE)
    TaskFactory(project=project, title="Alfa", position=2)
    client.force_login(admin_a)
    response = client.get(reverse("projects:list"), {"stare": "finalizat"})
    assert [p.name for p in response.context["page"]] == ["Migrare date"]
    assert '<option value="finalizat" selected>' in response.content.decode()
    response = client.get(project.get_absolute_url(), {"stare": "deschise", "ordine": "titlu"})
    assert [t.title for t in response.context["task_page"]] == ["Alfa"]
    header = next(c for c in response.context["columns"] if c["key"] == "titlu")
    assert header["aria_sort"] == "ascending" and "sort=-titlu" in header["url"] and "ordine" not in header["url"]
    assert '<input type="hidden" name="sort" value="titlu">' in response.content.decode()
    # A link that carries both names follows the new one.
    response = client.get(project.get_absolute_url(), {"ordine": "titlu", "sort": "-titlu"})
    assert [t.title for t in response.context["task_page"]] == ["Beta", "Alfa"]


def test_tasks_table_is_paginated(client, admin_a, company_a):
    project = ProjectFactory(company=company_a)
    TaskFactory.create_batch(TASKS_PER_PAGE + 3, project=project)
    client.force_login(admin_a)
    response = client.get(project.get_absolute_url(), {"page": 2, "sort": "titlu"})
    assert len(response.context["task_page"].object_list) == 3
    assert "sort=titlu" in response.context["query_string"]


def test_detail_lists_the_projects_documents(client, admin_a, company_a):
    project = ProjectFactory(company=company_a)
    DocumentFactory(company=company_a, title="Document de analiză", linked=project)
    DocumentFactory(company=company_a, title="Alt document")
    client.force_login(admin_a)
    response = client.get(project.get_absolute_url())
    assert [d.title for d in response.context["documents"]] == ["Document de analiză"]
    assert reverse("files:detail", args=[response.context["documents"][0].public_id]) in response.content.decode()


def test_detail_query_count_is_fixed_with_500_tasks(client, admin_a, company_a, django_assert_max_num_queries):
    project = ProjectFactory(company=company_a)
    many_tasks(project, 500)
    for _ in range(3):
        DocumentFactory(company=company_a, linked=project)
        attach(CommentFactory(project=project, author=admin_a))
    client.force_login(admin_a)
    client.get(reverse("projects:list"))  # warm the session
    with django_assert_max_num_queries(DETAIL_QUERIES + CHART_QUERIES):
        response = client.get(project.get_absolute_url())
    assert len(response.context["schedule"].tasks) == 500
    heads = next(
        trace
        for trace in response.context["gantt"]["figure"]["data"]
        if trace["name"] == "Dependențe" and trace["mode"] == "markers"
    )
    assert len(heads["x"]) == 499  # one arrowhead per dependency
    with django_assert_max_num_queries(DETAIL_QUERIES):  # the chart comes from the cache now
        again = client.get(project.get_absolute_url())
    assert again.content.count(b'id="gantt-data"') == 1
    with django_assert_max_num_queries(DETAIL_QUERIES - 7 + CHART_QUERIES):
        client.get(reverse("projects:gantt", args=[project.public_id]))


def test_detail_query_count_does_not_depend_on_the_task_count(client, admin_a, company_a):
    def count(tasks: int) -> int:
        project = ProjectFactory(company=company_a)
        many_tasks(project, tasks)
        client.get(project.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            client.get(project.get_absolute_url())
        return len(queries)

    client.force_login(admin_a)
    assert count(5) == count(120)


# --- ownership --------------------------------------------------------------------------------


def test_another_companys_project_and_its_chart_are_not_found(client, member_b, company_a):
    project = ProjectFactory(company=company_a)
    attachment = attach(CommentFactory(project=project))
    client.force_login(member_b)
    for name in ("projects:detail", "projects:gantt", "projects:comments"):
        assert client.get(reverse(name, args=[project.public_id])).status_code == 404
    url = reverse("projects:attachment", args=[project.public_id, attachment.file.public_id])
    assert client.get(url).status_code == 404
    response = client.post(reverse("projects:comments", args=[project.public_id]), {"body": "Salut"})
    assert response.status_code == 404 and not Comment.objects.filter(body="Salut").exists()


def test_an_attachment_is_served_only_under_its_own_project(client, admin_a, company_a):
    project, other = ProjectFactory(company=company_a), ProjectFactory(company=company_a)
    attachment = attach(CommentFactory(project=project))
    client.force_login(admin_a)
    assert (
        client.get(reverse("projects:attachment", args=[other.public_id, attachment.file.public_id])).status_code == 404
    )


# --- the conversation -------------------------------------------------------------------------


def test_a_member_writes_to_the_project_manager_with_attachments(
    client, member_a, company_a, mailoutbox, django_capture_on_commit_callbacks
):
    project = ProjectFactory(company=company_a)
    client.force_login(member_a)
    url = reverse("projects:comments", args=[project.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"body": "Atașez schița halei.", "files": [pdf_upload("schita-hala.pdf"), pdf_upload("plan.pdf")]}
        )

    assert response.status_code == 302 and response["Location"] == url
    comment = Comment.objects.get()
    assert (comment.author, comment.company, comment.from_supplier) == (member_a, company_a, False)
    assert sorted(a.file.original_name for a in comment.attachments.all()) == ["plan.pdf", "schita-hala.pdf"]
    [email] = mailoutbox
    assert email.to == [project.manager_email] and "schita-hala.pdf" in email.body

    page = client.get(url).content.decode()
    assert "Atașez schița halei." in page and "schita-hala.pdf" in page
    attachment = comment.attachments.get(file__original_name="plan.pdf")
    download = client.get(reverse("projects:attachment", args=[project.public_id, attachment.file.public_id]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert 'filename="plan.pdf"' in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="project.attachment_downloaded", user=member_a).exists()


def test_a_bad_message_is_a_form_error_and_nothing_is_saved(client, admin_a, company_a):
    project = ProjectFactory(company=company_a)
    client.force_login(admin_a)
    url = reverse("projects:comments", args=[project.public_id])
    assert client.post(url, {"body": ""}).status_code == 400
    response = client.post(url, {"body": "Fișierul", "files": [pdf_upload("virus.exe")]})
    assert response.status_code == 400 and response.context["form"].errors
    assert not Comment.objects.exists()


def test_detail_links_the_contract_the_project_comes_from(client, admin_a, company_a):
    from contracts.models import Contract

    contract = Contract.objects.create(
        company=company_a,
        number="CTR-2025-014",
        title="Contract-cadru",
        status=Contract.Status.ACTIVE,
        start_date=days(-100),
    )
    project = ProjectFactory(company=company_a, contract=contract)
    client.force_login(admin_a)
    html = client.get(project.get_absolute_url()).content.decode()
    assert reverse("contracts:detail", args=[contract.public_id]) in html
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.DRAFT)  # drafts are not shown
    assert (
        reverse("contracts:detail", args=[contract.public_id])
        not in client.get(project.get_absolute_url()).content.decode()
    )


def test_the_cached_chart_follows_every_change_to_the_schedule(client, admin_a, company_a):
    """The chart is cached per schedule stamp: a changed, added or removed task and a new dependency show
    at once, on the project page and on the Gantt page."""
    project = ProjectFactory(company=company_a)
    first = TaskFactory(project=project, title="Analiză", start=days(0), end=days(3), position=1)
    second = TaskFactory(project=project, title="Instruire", start=days(4), end=days(6), position=2)
    client.force_login(admin_a)

    def chart(url=None) -> str:
        page = client.get(url or project.get_absolute_url()).content.decode()
        data = re.search(r'<script id="gantt-data" type="application/json">(.*?)</script>', page, re.S).group(1)
        return json.dumps(json.loads(data), ensure_ascii=False)

    gantt_url = reverse("projects:gantt", args=[project.public_id])
    assert "Analiză" in chart() and "Analiză" in chart(gantt_url)
    first.title = "Analiză detaliată"
    first.save()
    assert "Analiză detaliată" in chart() and "Analiză detaliată" in chart(gantt_url)

    def arrows() -> int:
        figure = json.loads(chart())["figure"]
        return sum(
            len(trace["x"]) for trace in figure["data"] if trace["name"] == "Dependențe" and trace["mode"] == "markers"
        )

    assert arrows() == 0
    link(first, second)
    assert arrows() == 1
    TaskFactory(project=project, title="Punere în funcțiune", start=days(7), end=days(8), position=3)
    assert "Punere în funcțiune" in chart()
    second.delete()
    assert "Instruire" not in chart() and "Instruire" not in chart(gantt_url)


def test_late_tasks_and_milestones_cards(client, admin_a, company_a):
    project = ProjectFactory(company=company_a)
    for position in range(7):
        TaskFactory(
            project=project,
            title=f"Întârziată {position}",
            start=days(-20),
            end=days(-10 + position),
            position=position,
        )
    TaskFactory(project=project, title="Gata", start=days(-20), end=days(-15), status=Task.Status.DONE, position=8)
    TaskFactory(project=project, title="Jalon depășit", start=days(-2), end=days(-2), is_milestone=True, position=9)
    TaskFactory(project=project, title="Jalon viitor", start=days(5), end=days(5), is_milestone=True, position=10)
    client.force_login(admin_a)
    response = client.get(project.get_absolute_url())
    assert [t.title for t in response.context["late_tasks"]] == [f"Întârziată {i}" for i in range(5)]
    assert response.context["late_count"] == 8  # seven tasks and the overdue milestone; the done one is not late
    assert "Vedeți toate cele 8 sarcini întârziate" in response.content.decode()
    milestones = response.context["milestones"]
    assert [(m.title, m.late) for m in milestones] == [("Jalon depășit", True), ("Jalon viitor", False)]
    late_table = client.get(project.get_absolute_url(), {"status": "intarziate"}).context["task_page"]
    assert late_table.paginator.count == 8 and all(task.late for task in late_table)
