"""Projects and tasks for tests. Dates are relative to today (``timezone.localdate()``), which is
what the late flags compare with: a task ending yesterday is late whenever the suite runs."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import CompanyFactory
from files.tests.factories import StoredFileFactory
from projects.models import Comment, CommentAttachment, Project, Task


def today() -> date:
    return timezone.localdate()


def days(n: int) -> date:
    """Today plus ``n`` days (negative: in the past)."""
    return today() + timedelta(days=n)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"PRJ-2026-{n:03d}")
    name = factory.Sequence(lambda n: f"Implementare ERP etapa {n}")
    status = Project.Status.IN_PROGRESS
    planned_start = factory.LazyFunction(lambda: days(-30))
    planned_end = factory.LazyFunction(lambda: days(60))
    manager_name = "Ioana Marinescu"
    manager_email = "ioana.marinescu@furnizor.ro"
    manager_phone = "0721 000 100"


class TaskFactory(factory.django.DjangoModelFactory):
    """Written straight to the database (fast, for many rows); tests of the rules use the services."""

    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    company = factory.SelfAttribute("project.company")
    title = factory.Sequence(lambda n: f"Sarcina {n}")
    phase = "Implementare"
    position = factory.Sequence(lambda n: n)
    start = factory.LazyFunction(lambda: days(-5))
    end = factory.LazyAttribute(lambda t: t.start if t.is_milestone else t.start + timedelta(days=9))
    is_milestone = False
    status = Task.Status.IN_PROGRESS
    progress = 50
    responsible = "Radu Ene"


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    project = factory.SubFactory(ProjectFactory)
    company = factory.SelfAttribute("project.company")
    body = "Când începe instruirea?"


def attach(comment: Comment, *, name: str = "schita.pdf") -> CommentAttachment:
    stored = StoredFileFactory(company=comment.company, name=name)
    return CommentAttachment.objects.create(company=comment.company, comment=comment, file=stored)


def link(predecessor: Task, successor: Task) -> None:
    successor.depends_on.add(predecessor)
