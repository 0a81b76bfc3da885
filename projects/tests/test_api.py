"""Projects pushed by the ERP with their plans: tasks by ERP key, dependencies, cycles refused, idempotent."""

import pytest

from integrations.tests.factories import bearer, integration_key
from projects.models import Project, Task

pytestmark = pytest.mark.django_db
BULK = "/api/v1/projects/bulk"


def body(company, **changes) -> dict:
    project = {
        "cui": company.cui,
        "code": "PRJ-2026-101",
        "name": "Modernizare stație de pompare",
        "status": "in_desfasurare",
        "planned_start": "2026-09-01",
        "planned_end": "2026-12-20",
        "tasks": [
            {
                "key": "T1",
                "phase": "Analiză",
                "title": "Audit",
                "start": "2026-09-01",
                "end": "2026-09-15",
                "progress": 100,
                "status": "finalizat",
            },
            {
                "key": "T2",
                "phase": "Execuție",
                "title": "Montaj",
                "start": "2026-09-16",
                "end": "2026-11-30",
                "progress": 40,
                "status": "in_lucru",
                "depends_on": ["T1"],
            },
            {
                "key": "M1",
                "phase": "Execuție",
                "title": "Recepție",
                "start": "2026-12-20",
                "end": "2026-12-20",
                "is_milestone": True,
                "depends_on": ["T2"],
            },
        ],
    }
    return {**project, **changes}


@pytest.fixture
def key():
    return integration_key(scopes=["projects:write"])[1]


def push(client, key, *projects):
    return client.post(BULK, {"projects": list(projects)}, content_type="application/json", **bearer(key))


def test_a_plan_is_created_recognised_and_updated(client, key, company_a):
    assert push(client, key, body(company_a)).json()["results"][0]["result"] == "created"
    project = Project.objects.get(code="PRJ-2026-101")
    montaj = Task.objects.get(project=project, erp_key="T2")
    assert [t.erp_key for t in montaj.depends_on.all()] == ["T1"] and montaj.progress == 40
    assert push(client, key, body(company_a)).json()["results"][0]["result"] == "unchanged"
    changed = body(company_a)
    changed["tasks"][1]["progress"] = 70
    del changed["tasks"][2]  # the ERP dropped the milestone
    assert push(client, key, changed).json()["results"][0]["result"] == "updated"
    assert Task.objects.get(erp_key="T2").progress == 70 and not Task.objects.filter(erp_key="M1").exists()


def test_a_cycle_or_an_unknown_dependency_is_refused_and_saves_nothing(client, key, company_a):
    cycle = body(company_a)
    cycle["tasks"][0]["depends_on"] = ["M1"]
    unknown = body(company_a, code="PRJ-2026-102")
    unknown["tasks"][1]["depends_on"] = ["T9"]
    results = push(client, key, cycle, unknown, body(company_a, code="PRJ-2026-103")).json()["results"]
    assert [r["result"] for r in results] == ["rejected", "rejected", "created"]
    assert "T9" in results[1]["errors"][0]
    assert list(Project.objects.values_list("code", flat=True)) == ["PRJ-2026-103"]


def test_a_milestone_must_have_zero_length(client, key, company_a):
    bad = body(company_a)
    bad["tasks"][2]["end"] = "2026-12-21"
    result = push(client, key, bad).json()["results"][0]
    assert result["result"] == "rejected" and "Recepție" in " ".join(result["errors"])
