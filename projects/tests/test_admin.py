"""The back office: a project with its tasks inline; every save goes through the services."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from portal.models import AuditEntry
from projects.models import Comment, Task
from projects.tests.factories import ProjectFactory, TaskFactory, days, link

pytestmark = pytest.mark.django_db

TASK_FIELDS = ("phase", "position", "title", "start", "end", "status", "progress", "responsible", "description")


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def form_data(project, tasks, *, edits=None, new=(), reply=""):
    """What the change form posts: the project's fields, one inline row per task (with ``edits``
    by task), extra rows for ``new`` tasks, and an optional reply in the conversation."""
    edits = edits or {}
    data = {
        "code": project.code,
        "name": project.name,
        "description": project.description,
        "status": project.status,
        "planned_start": project.planned_start.isoformat(),
        "planned_end": project.planned_end.isoformat(),
        "manager_name": project.manager_name,
        "manager_email": project.manager_email,
        "manager_phone": project.manager_phone,
        "tasks-TOTAL_FORMS": len(tasks) + len(new),
        "tasks-INITIAL_FORMS": len(tasks),
        "tasks-MIN_NUM_FORMS": 0,
        "tasks-MAX_NUM_FORMS": 1000,
        "comments-TOTAL_FORMS": 1 if reply else 0,
        "comments-INITIAL_FORMS": 0,
        "comments-MIN_NUM_FORMS": 0,
        "comments-MAX_NUM_FORMS": 1000,
    }
    rows = [
        (
            task,
            {
                **{name: getattr(task, name) for name in TASK_FIELDS},
                "is_milestone": task.is_milestone,
                "id": task.pk,
                "depends_on": [t.pk for t in task.depends_on.all()],
                **edits.get(task, {}),
            },
        )
        for task in tasks
    ]
    rows += [(None, row) for row in new]
    for index, (_task, row) in enumerate(rows):
        prefix = f"tasks-{index}-"
        data[prefix + "project"] = project.pk
        for name, value in row.items():
            if name == "is_milestone":
                if value:
                    data[prefix + name] = "on"
            elif name == "depends_on":
                data[prefix + name] = [str(pk) for pk in value]
            elif value is not None:
                data[prefix + name] = value.isoformat() if hasattr(value, "isoformat") else value
    if reply:
        data["comments-0-body"] = reply
    return data


@pytest.fixture
def project(company_a):
    return ProjectFactory(company=company_a)


@pytest.fixture
def tasks(project):
    analysis = TaskFactory(project=project, title="Analiză", start=days(-10), end=days(-5))
    design = TaskFactory(project=project, title="Proiectare", start=days(-4), end=days(2))
    link(analysis, design)
    return analysis, design


def test_change_page_shows_tasks_inline(client, staff, project, tasks):
    client.force_login(staff)
    response = client.get(change_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Analiză" in html and "Proiectare" in html and "Anunță clientul" not in html  # actions: list only


def test_a_cycle_in_the_inline_is_an_error_and_nothing_is_saved(client, staff, project, tasks):
    analysis, design = tasks
    client.force_login(staff)
    response = client.post(
        change_url(project),
        form_data(project, [analysis, design], edits={analysis: {"depends_on": [design.pk], "title": "Analiză nouă"}}),
    )
    assert response.status_code == 200
    assert "formează un cerc" in response.content.decode()
    analysis.refresh_from_db()
    assert analysis.title == "Analiză" and not analysis.depends_on.exists()


def test_end_before_start_in_the_inline_is_an_error(client, staff, project, tasks):
    analysis, design = tasks
    client.force_login(staff)
    response = client.post(
        change_url(project), form_data(project, [analysis, design], edits={design: {"end": days(-20)}})
    )
    assert response.status_code == 200
    assert "Sfârșitul nu poate fi înainte de început." in response.content.decode()
    design.refresh_from_db()
    assert design.end == days(2)


def test_staff_add_and_rewire_tasks_through_the_service(client, staff, project, tasks):
    analysis, design = tasks
    client.force_login(staff)
    new = {
        "title": "Recepție",
        "phase": "Punere în funcțiune",
        "position": 9,
        "start": days(5),
        "end": days(5),
        "is_milestone": True,
        "status": Task.Status.NOT_STARTED,
        "progress": 0,
        "depends_on": [],
    }
    # Swap the dependency (Analiză now after Proiectare) and add a milestone, in one save.
    response = client.post(
        change_url(project),
        form_data(
            project,
            [analysis, design],
            edits={analysis: {"depends_on": [design.pk]}, design: {"depends_on": []}},
            new=[new],
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(analysis.depends_on.all()) == [design] and not design.depends_on.exists()
    milestone = Task.objects.get(title="Recepție")
    assert milestone.company == project.company and milestone.is_milestone
    entry = AuditEntry.objects.get(action="project.tasks_saved")
    assert entry.data == {"created": 1, "updated": 2, "deleted": 0} and entry.user == staff


def test_staff_reply_to_the_client_from_the_project_page(
    client, staff, admin_a, project, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(project), form_data(project, [], reply="Instruirea începe pe 18.01."))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.from_supplier and comment.author == staff and comment.company == project.company
    assert [m.to for m in mailoutbox] == [[admin_a.email]]


def test_notify_action_emails_the_milestone_schedule(
    client, staff, admin_a, project, mailoutbox, django_capture_on_commit_callbacks
):
    TaskFactory(
        project=project,
        title="Pornirea în producție",
        start=days(30),
        end=days(30),
        is_milestone=True,
        status=Task.Status.NOT_STARTED,
    )
    empty = ProjectFactory(company=project.company)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:projects_project_changelist"),
            {"action": "notify_milestones", helpers.ACTION_CHECKBOX_NAME: [project.pk, empty.pk]},
            follow=True,
        )
    text = response.content.decode()
    assert "nu are jaloane deschise" in text and "anunțat pentru 1 proiect" in text
    [email] = mailoutbox
    assert email.to == [admin_a.email] and "Pornirea în producție" in email.body


def test_task_list_filters_late_tasks(client, staff, project):
    TaskFactory(project=project, title="Întârziată", start=days(-9), end=days(-1))
    TaskFactory(project=project, title="La zi", start=days(-1), end=days(9))
    client.force_login(staff)
    response = client.get(reverse("admin:projects_task_changelist"), {"intarziata": "da"})
    assert [t.title for t in response.context["cl"].result_list] == ["Întârziată"]


def test_task_change_form_saves_through_the_service(client, staff, project, tasks):
    analysis, design = tasks
    client.force_login(staff)
    url = reverse("admin:projects_task_change", args=[analysis.pk])
    data = {name: getattr(analysis, name) for name in TASK_FIELDS}
    data.update(start=analysis.start.isoformat(), end=analysis.end.isoformat(), depends_on=[design.pk])
    response = client.post(url, data)
    assert response.status_code == 200 and "formează un cerc" in response.content.decode()
    data["depends_on"] = []
    data["status"] = Task.Status.DONE
    assert client.post(url, data).status_code == 302
    analysis.refresh_from_db()
    assert analysis.progress == 100 and not analysis.depends_on.exists()
