"""Task rules: dates, milestones, dependencies (same project, no cycles), and what staff changes
trigger for the client (milestone reached, schedule announced)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import MembershipFactory, UserFactory
from portal.models import AuditEntry, Notification, OutboundEmail
from projects import services, tasks
from projects.models import Task
from projects.services import TaskChange, find_cycle
from projects.tests.factories import ProjectFactory, TaskFactory, days, link

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(company_a):
    return ProjectFactory(company=company_a)


def new_task(project, title="Configurare", start=0, end=4, **fields):
    return services.task_create(project=project, title=title, start=days(start), end=days(end), **fields)


# --- dates and fields -------------------------------------------------------------------------


def test_end_before_start_is_rejected(project):
    with pytest.raises(ValidationError) as error:
        new_task(project, start=5, end=2)
    assert "end" in error.value.message_dict
    assert not Task.objects.exists()


def test_a_milestone_has_zero_length(project):
    with pytest.raises(ValidationError) as error:
        new_task(project, "Recepție", start=5, end=6, is_milestone=True)
    assert "aceeași zi" in error.value.message_dict["end"][0]
    task = new_task(project, "Recepție", start=5, end=5, is_milestone=True)
    assert task.duration_days == 0


def test_progress_is_a_percentage(project):
    with pytest.raises(ValidationError) as error:
        new_task(project, progress=120)
    assert "progress" in error.value.message_dict


def test_a_finished_task_is_at_100_percent(project):
    task = new_task(project, status=Task.Status.DONE, progress=40)
    task.refresh_from_db()
    assert task.progress == 100


def test_the_client_contact_must_be_a_member_of_the_company(project, member_a, member_b):
    assert new_task(project, client_contact=member_a).client_contact == member_a
    with pytest.raises(ValidationError) as error:
        new_task(project, "Altă sarcină", client_contact=member_b)
    assert "client_contact" in error.value.message_dict


def test_the_task_takes_the_company_of_its_project(project, company_a):
    assert new_task(project).company == company_a


# --- dependencies -----------------------------------------------------------------------------


def test_find_cycle():
    assert find_cycle([(1, 2), (2, 3), (1, 3)]) is None
    assert find_cycle([(1, 2), (2, 3), (3, 1)]) == [1, 2, 3, 1]
    assert find_cycle([(4, 4)]) == [4, 4]
    assert find_cycle([(1, 2), (5, 6), (6, 7), (7, 5)]) == [5, 6, 7, 5]


def test_a_direct_cycle_is_rejected(project):
    analysis = new_task(project, "Analiză")
    design = new_task(project, "Proiectare", depends_on=[analysis])
    with pytest.raises(ValidationError) as error:
        services.task_update(task=analysis, depends_on=[design])
    assert "cerc" in error.value.messages[0]
    assert "Analiză" in error.value.messages[0] and "Proiectare" in error.value.messages[0]
    assert list(analysis.depends_on.all()) == []


def test_an_indirect_cycle_is_rejected_and_nothing_is_saved(project):
    a, b, c = (new_task(project, title) for title in ("A", "B", "C"))
    services.task_update(task=b, depends_on=[a])
    services.task_update(task=c, depends_on=[b])
    with pytest.raises(ValidationError):
        services.task_update(task=a, depends_on=[c], title="A redenumită")
    a.refresh_from_db()
    assert a.title == "A" and not a.depends_on.exists()


def test_a_task_cannot_depend_on_itself(project):
    task = new_task(project)
    with pytest.raises(ValidationError) as error:
        services.task_update(task=task, depends_on=[task])
    assert "ea însăși" in error.value.message_dict["depends_on"][0]


def test_a_dependency_across_projects_is_rejected(project, company_a):
    other = TaskFactory(project=ProjectFactory(company=company_a), title="Sarcina altui proiect")
    task = new_task(project)
    with pytest.raises(ValidationError) as error:
        services.task_update(task=task, depends_on=[other])
    assert "altui proiect" in error.value.message_dict["depends_on"][0]
    assert not task.depends_on.exists()
    with pytest.raises(ValidationError):
        new_task(project, "Nouă", depends_on=[other])
    assert not Task.objects.filter(title="Nouă").exists()


def test_swapping_two_dependencies_in_one_save_is_fine(project):
    a = TaskFactory(project=project, title="A")
    b = TaskFactory(project=project, title="B")
    link(a, b)  # B depends on A; now A should depend on B instead
    services.tasks_save(project=project, changes=[TaskChange(b, []), TaskChange(a, [b])])
    assert list(a.depends_on.all()) == [b] and not b.depends_on.exists()


def test_tasks_save_refuses_a_task_of_another_project(project, company_a):
    foreign = TaskFactory(project=ProjectFactory(company=company_a))
    with pytest.raises(ValidationError):
        services.tasks_save(project=project, changes=[TaskChange(foreign)])
    with pytest.raises(ValidationError):
        services.tasks_save(project=project, changes=[], deleted=[foreign])
    assert Task.objects.filter(pk=foreign.pk).exists()


# --- audit and client notifications ----------------------------------------------------------


def test_reaching_a_milestone_tells_the_client_once(
    project, admin_a, member_a, staff, django_capture_on_commit_callbacks, mailoutbox
):
    milestone = new_task(project, "Pornirea în producție", start=0, end=0, is_milestone=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_update(task=milestone, status=Task.Status.DONE, by=staff)

    entry = AuditEntry.objects.get(action="project.milestone_reached")
    assert entry.data["milestone"] == "Pornirea în producție" and entry.user == staff
    assert sorted(m.to[0] for m in mailoutbox) == sorted([admin_a.email, member_a.email])
    assert "Pornirea în producție" in mailoutbox[0].subject
    assert Notification.objects.filter(kind="project.milestone").count() == 2

    tasks.notify_milestone_reached(milestone.pk)  # a retried task sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        services.task_update(task=milestone, title="Pornirea în producție", by=staff)  # still done: no news
    assert len(mailoutbox) == 2 and Notification.objects.filter(kind="project.milestone").count() == 2


def test_staff_announce_the_milestone_schedule(project, admin_a, staff, django_capture_on_commit_callbacks, mailoutbox):
    new_task(project, "Recepția la testare", start=20, end=20, is_milestone=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.milestones_notify(project=project, by=staff) == 1
    [email] = mailoutbox
    assert email.to == [admin_a.email] and "Recepția la testare" in email.body
    assert OutboundEmail.objects.filter(key__startswith="milestones:").count() == 1


def test_announcing_a_project_without_open_milestones_is_refused(project, staff):
    with pytest.raises(ValidationError):
        services.milestones_notify(project=project, by=staff)


def test_a_client_comment_emails_the_project_manager(project, admin_a, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(project=project, user=admin_a, body="Când începe instruirea?")
    [email] = mailoutbox
    assert email.to == [project.manager_email]
    assert "Când începe instruirea?" in email.body and project.company.name in email.subject
    assert AuditEntry.objects.get(action="project.commented").data["comment"] == str(comment.public_id)
    tasks.notify_manager_of_comment(comment.pk)
    assert len(mailoutbox) == 1


def test_a_supplier_reply_notifies_the_clients_members(
    project, admin_a, staff, django_capture_on_commit_callbacks, mailoutbox
):
    MembershipFactory(company=project.company, user=UserFactory(email="coleg@client-a.ro"))
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(project=project, user=staff, body="Instruirea începe pe 18.01.", from_supplier=True)
    assert sorted(m.to[0] for m in mailoutbox) == ["admin.a@client-a.ro", "coleg@client-a.ro"]
    assert Notification.objects.filter(kind="project.reply").count() == 2


def test_an_empty_comment_is_refused(project, admin_a):
    with pytest.raises(ValidationError):
        services.comment_add(project=project, user=admin_a, body="   ")


def test_a_project_links_only_a_contract_of_its_company(project, company_b):
    from contracts.models import Contract

    foreign = Contract.objects.create(company=company_b, number="CTR-B-1", title="Contract B", start_date=days(-5))
    project.contract = foreign
    with pytest.raises(ValidationError) as error:
        services.project_save(project=project)
    assert "contract" in error.value.message_dict
