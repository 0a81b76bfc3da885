"""The ERP's projects pushed in with their whole plan: phases, tasks, milestones, dependencies, progress."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Field, Router, Schema

from accounts.models import Company
from portal import audit
from portal.api import BulkOut, BulkResult, error_messages, require
from projects import services
from projects.models import Project, Task

router = Router(tags=["Proiecte"])
MAX_BULK = 1000


class TaskIn(Schema):
    key: str = Field(..., min_length=1, max_length=64, description="The ERP's own key of the task")
    phase: str = Field("", max_length=100, description="Tasks of one phase are grouped in the Gantt chart")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    start: date
    end: date
    is_milestone: bool = Field(False, description="A milestone starts and ends on the same day")
    status: Literal[tuple(Task.Status.values)] = Task.Status.NOT_STARTED  # type: ignore[valid-type]
    progress: int = Field(0, ge=0, le=100)
    responsible: str = Field("", max_length=120)
    depends_on: list[str] = Field(default_factory=list, description="Keys of the tasks this one waits for")


class ProjectIn(Schema):
    cui: str = Field(..., description="The client company's CUI, with or without RO")
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    status: Literal[tuple(Project.Status.values)] = Project.Status.PLANNED  # type: ignore[valid-type]
    planned_start: date
    planned_end: date
    actual_start: date | None = None
    actual_end: date | None = None
    manager_name: str = Field("", max_length=120)
    manager_email: str = Field("", max_length=254)
    manager_phone: str = Field("", max_length=32)
    tasks: list[TaskIn] = Field(default_factory=list, max_length=5000)


class ProjectsIn(Schema):
    projects: list[ProjectIn] = Field(..., min_length=1, max_length=MAX_BULK)


def upsert_one(item: ProjectIn) -> BulkResult:
    key = f"{item.cui} {item.code}"
    company = Company.objects.with_cui(item.cui).first()
    if company is None:
        return BulkResult(key=key, result="rejected", status=400, errors=[f"compania cu CUI „{item.cui}” nu există"])
    try:
        with transaction.atomic():
            outcome = services.project_upsert(
                company=company,
                code=item.code,
                fields=item.dict(exclude={"cui", "code", "tasks"}),
                tasks=[task.dict() for task in item.tasks],
            )
    except ValidationError as error:
        return BulkResult(key=key, result="rejected", status=400, errors=error_messages(error))
    return BulkResult(key=key, result=outcome, status=201 if outcome == "created" else 200)


@router.post("/projects/bulk", response=BulkOut, summary="Push up to 1,000 projects with their plans")
def projects_bulk(request, payload: ProjectsIn):
    """Each project is created, updated or recognised ("unchanged") on its own, by its company's CUI and its
    code, with its whole plan: the tasks by their ERP keys (the ERP's tasks it no longer sends are
    removed), dependencies by key (a cycle is refused). One bad project blocks none of the others."""
    require(request, "projects", write=True)
    with audit.acting_as(request.auth.name):
        return BulkOut(results=[upsert_one(item) for item in payload.projects])
