"""Project progress: duration-weighted, milestones weigh nothing, cancelled tasks are left out —
the same number from Python (detail page) and from SQL (list page)."""

import pytest

from projects.models import Project, Task
from projects.progress import ProgressSums, project_progress
from projects.selectors import list_rows, project_list
from projects.tests.factories import ProjectFactory, TaskFactory, days


def task(start: int, length: int, *, progress: int = 0, status=Task.Status.IN_PROGRESS, milestone=False) -> Task:
    """An unsaved task of ``length`` calendar days starting ``start`` days from today."""
    return Task(
        start=days(start),
        end=days(start + max(length, 1) - 1),
        progress=progress,
        status=status,
        is_milestone=milestone,
    )


def milestone(day: int, *, done=False) -> Task:
    return Task(
        start=days(day), end=days(day), is_milestone=True, status=Task.Status.DONE if done else Task.Status.NOT_STARTED
    )


def test_progress_is_weighted_by_duration():
    # 10 days at 100 % and 30 days at 0 %: a quarter of the work, not half the tasks.
    assert project_progress([task(0, 10, progress=100), task(10, 30)]) == 25


def test_a_finished_task_counts_100_whatever_its_percentage():
    assert project_progress([task(0, 4, progress=30, status=Task.Status.DONE), task(4, 4)]) == 50


def test_milestones_weigh_nothing_and_cancelled_tasks_are_left_out():
    tasks = [
        task(0, 10, progress=50),
        milestone(10),
        milestone(5, done=True),
        task(0, 90, status=Task.Status.CANCELLED),
    ]
    assert project_progress(tasks) == 50


def test_a_project_of_milestones_only_progresses_by_milestones_reached():
    assert project_progress([milestone(0, done=True), milestone(5), milestone(9)]) == 33


def test_a_project_without_tasks():
    assert project_progress([]) == 0
    assert project_progress([], project_done=True) == 100


def test_half_rounds_up():
    assert ProgressSums(weight=8, weighted_done=8 * 12 + 4).percent() == 13  # 12.5 %


@pytest.mark.django_db
def test_the_list_computes_the_same_progress_in_sql(company_a):
    project = ProjectFactory(company=company_a)
    specs = [
        (0, 10, 100, Task.Status.DONE),
        (10, 3, 40, Task.Status.IN_PROGRESS),
        (13, 30, 0, Task.Status.NOT_STARTED),
        (2, 7, 80, Task.Status.CANCELLED),
        (5, 1, 90, Task.Status.ON_HOLD),
    ]
    for start, length, progress, status in specs:
        TaskFactory(project=project, start=days(start), end=days(start + length - 1), progress=progress, status=status)
    TaskFactory(project=project, start=days(20), end=days(20), is_milestone=True, status=Task.Status.DONE, progress=100)
    expected = project_progress(Task.objects.filter(project=project))

    [row] = list_rows(project_list(company=company_a), company=company_a)

    assert row.progress == expected == round((10 * 100 + 3 * 40 + 1 * 90) / 44)


@pytest.mark.django_db
def test_the_list_shows_100_for_a_finished_project_without_tasks(company_a):
    ProjectFactory(company=company_a, status=Project.Status.DONE)
    [row] = list_rows(project_list(company=company_a), company=company_a)
    assert row.progress == 100
