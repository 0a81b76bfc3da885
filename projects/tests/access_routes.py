from projects.tests.factories import CommentFactory, ProjectFactory, TaskFactory, attach, link
from tests.access import SAME, Route, everyone, object_page, section


def objects(cast) -> dict:
    project = ProjectFactory(company=cast["company_a"], name="Implementare ERP")
    first = TaskFactory(project=project, title="Analiză")
    link(first, TaskFactory(project=project, title="Configurare"))
    comment = CommentFactory(project=project, author=cast["admin_a"])
    return {"project": project, "project_attachment": attach(comment)}


def project(o) -> dict:
    return {"public_id": o["project"].public_id}


ROUTES = [
    # Read views are @require_safe: any POST is 405, before the login check.
    Route("projects:list", get=section(), post=everyone(405)),
    Route("projects:detail", get=object_page(200), post=everyone(405), kwargs=project),
    # The chart on a page of its own; another company's project (and so its chart data) is a 404.
    Route("projects:gantt", get=object_page(200), post=everyone(405), kwargs=project),
    # Any member of the company may write to the project manager; after sending, back to the thread.
    Route(
        "projects:comments",
        get=object_page(200),
        post=object_page(SAME),
        kwargs=project,
        data=lambda o: {"body": "Putem muta instruirea după 15 ianuarie?"},
    ),
    Route(
        "projects:attachment",
        get=object_page(200),
        post=everyone(405),
        kwargs=lambda o: {"public_id": o["project"].public_id, "file_id": o["project_attachment"].file.public_id},
    ),
]
