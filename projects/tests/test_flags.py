"""'Late' = the end date has passed and the task is not done (a cancelled task is never late)."""

import pytest
from django.urls import reverse

from projects.models import Project, Task
from projects.selectors import list_rows, project_list, project_schedule
from projects.tests.factories import ProjectFactory, TaskFactory, days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("end", "status", "late"),
    [
        (-1, Task.Status.IN_PROGRESS, True),
        (-1, Task.Status.NOT_STARTED, True),
        (-1, Task.Status.ON_HOLD, True),
        (-1, Task.Status.DONE, False),
        (-1, Task.Status.CANCELLED, False),
        (0, Task.Status.IN_PROGRESS, False),  # due today: not late yet
        (3, Task.Status.NOT_STARTED, False),
    ],
)
def test_task_late_flag(company_a, end, status, late):
    task = TaskFactory(project=ProjectFactory(company=company_a), start=days(-10), end=days(end), status=status)
    assert task.is_late is late
    assert Task.objects.late().filter(pk=task.pk).exists() is late
    assert project_schedule(project=task.project).tasks[0].late is late


@pytest.mark.parametrize(
    ("planned_end", "status", "late"),
    [
        (-1, Project.Status.IN_PROGRESS, True),
        (-1, Project.Status.SUSPENDED, True),
        (-1, Project.Status.DONE, False),
        (-1, Project.Status.CANCELLED, False),
        (5, Project.Status.IN_PROGRESS, False),
    ],
)
def test_project_late_flag(company_a, planned_end, status, late):
    project = ProjectFactory(company=company_a, planned_start=days(-30), planned_end=days(planned_end), status=status)
    assert project.is_late is late


def test_delay_days(company_a):
    open_project = ProjectFactory(company=company_a, planned_end=days(-4))
    finished_late = ProjectFactory(
        company=company_a,
        planned_end=days(-10),
        status=Project.Status.DONE,
        actual_start=days(-30),
        actual_end=days(-7),
    )
    on_time = ProjectFactory(
        company=company_a,
        planned_end=days(-10),
        status=Project.Status.DONE,
        actual_start=days(-30),
        actual_end=days(-12),
    )
    assert (open_project.delay_days, finished_late.delay_days, on_time.delay_days) == (4, 3, 0)


def test_list_counts_late_tasks_and_flags_an_overdue_milestone(company_a):
    project = ProjectFactory(company=company_a)
    TaskFactory(project=project, start=days(-9), end=days(-2), status=Task.Status.IN_PROGRESS)
    TaskFactory(project=project, start=days(-9), end=days(-2), status=Task.Status.DONE)
    TaskFactory(project=project, start=days(-9), end=days(-2), status=Task.Status.CANCELLED)
    TaskFactory(
        project=project,
        title="Recepție parțială",
        start=days(-1),
        end=days(-1),
        is_milestone=True,
        status=Task.Status.NOT_STARTED,
    )
    TaskFactory(
        project=project,
        title="Recepție finală",
        start=days(20),
        end=days(20),
        is_milestone=True,
        status=Task.Status.NOT_STARTED,
    )

    [row] = list_rows(project_list(company=company_a), company=company_a)

    assert row.late_task_count == 2  # the open task and the overdue milestone
    assert (row.next_milestone_title, row.next_milestone_date, row.next_milestone_late) == (
        "Recepție parțială",
        days(-1),
        True,
    )


def test_detail_highlights_late_tasks(client, admin_a, company_a):
    project = ProjectFactory(company=company_a)
    TaskFactory(project=project, title="Migrarea soldurilor", start=days(-9), end=days(-2))
    TaskFactory(project=project, title="Instruire", start=days(2), end=days(5))
    client.force_login(admin_a)

    response = client.get(reverse("projects:detail", args=[project.public_id]))

    assert [t.title for t in response.context["late_tasks"]] == ["Migrarea soldurilor"]
    html = response.content.decode()
    assert html.count('class="table-danger"') == 2  # the tasks table and the Gantt's table
    late = client.get(reverse("projects:detail", args=[project.public_id]), {"status": "intarziate"})
    assert [t.title for t in late.context["task_page"]] == ["Migrarea soldurilor"]
