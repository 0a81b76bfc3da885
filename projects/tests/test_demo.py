"""The demo projects: every state, realistic schedule, idempotent."""

import pytest

from accounts import demo as accounts_demo
from files.selectors import documents_linked_to
from projects import demo
from projects.models import Comment, Project, Task
from projects.selectors import project_schedule
from projects.services import find_cycle

pytestmark = pytest.mark.django_db


def seed_twice() -> dict:
    data: dict = {}
    accounts_demo.seed(data)
    demo.seed(data)
    demo.seed(data)
    return data


def test_demo_projects_cover_every_state_and_are_idempotent():
    data = seed_twice()
    first, second = data["companies"][:2]
    assert set(Project.objects.filter(company=first).values_list("status", flat=True)) == {
        Project.Status.PLANNED,
        Project.Status.IN_PROGRESS,
        Project.Status.SUSPENDED,
        Project.Status.DONE,
    }
    assert Project.objects.filter(company=second).count() == 4
    assert Comment.objects.count() == 2

    big = Project.objects.get(company=first, code="PRJ-2026-014")
    schedule = project_schedule(project=big)
    assert 55 <= len(schedule.tasks) <= 65
    assert [p.name for p in schedule.phases] == [
        "Analiză",
        "Proiectare",
        "Implementare",
        "Testare",
        "Instruire",
        "Punere în funcțiune",
    ]
    milestones = [task for task in schedule.tasks if task.is_milestone]
    assert len(milestones) >= 5 and schedule.late_tasks and any(not m.is_closed for m in milestones)
    assert find_cycle(schedule.edges) is None
    assert all(t.company_id == first.pk for t in schedule.tasks)
    assert big.planned_start < schedule.today < big.planned_end
    membership = first.memberships.get(user__email="ana.popescu@agroserv.ro")
    assert len(documents_linked_to(membership=membership, user=membership.user, obj=big)) == 2


def test_closed_and_planned_demo_projects_have_no_late_tasks():
    seed_twice()
    for project in Project.objects.exclude(status=Project.Status.IN_PROGRESS):
        assert not Task.objects.filter(project=project).late().exists(), project.code
