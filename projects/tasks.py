"""Project emails and in-app notifications. Each task takes ids and is safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.models import Membership
from portal.notifications import notify, send_once, send_to_user_once
from projects.models import Comment, Project, Task


def _members(company):
    return Membership.objects.active().filter(company=company).select_related("user").order_by("pk")


@shared_task
def notify_milestone_reached(task_id: int) -> None:
    task = Task.objects.select_related("project__company").filter(pk=task_id, is_milestone=True).first()
    if task is None or not task.is_done:
        return
    project = task.project
    url = project.get_absolute_url()
    for membership in _members(project.company):
        notify(
            user=membership.user,
            company=project.company,
            kind="project.milestone",
            message="project.milestone",
            params={"milestone": task.title, "project": project.name},
            url=url,
            key=f"milestone-reached:{task.pk}",
        )
        send_to_user_once(
            key=f"milestone-reached:{task.pk}",
            user=membership.user,
            template="project_milestone_reached",
            context={"project": project, "task": task, "url": settings.SITE_URL + url},
        )


@shared_task
def notify_milestone_schedule(project_id: int, event_id: int) -> None:
    project = Project.objects.select_related("company").filter(pk=project_id).first()
    if project is None:
        return
    milestones = list(Task.objects.filter(project=project, is_milestone=True).open().order_by("start", "position"))
    url = project.get_absolute_url()
    for membership in _members(project.company):
        notify(
            user=membership.user,
            company=project.company,
            kind="project.milestones",
            message="project.milestones",
            params={"project": project.name},
            url=url,
            key=f"milestones:{event_id}",
        )
        send_to_user_once(
            key=f"milestones:{event_id}",
            user=membership.user,
            template="project_milestones",
            context={"project": project, "milestones": milestones, "url": settings.SITE_URL + url},
        )


@shared_task
def notify_manager_of_comment(comment_id: int) -> None:
    comment = (
        Comment.objects.select_related("project__company", "author")
        .prefetch_related("attachments__file")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return
    project = comment.project
    recipients = [project.manager_email] if project.manager_email else settings.STAFF_NOTIFICATION_EMAILS
    admin_url = settings.SITE_URL + reverse("admin:projects_project_change", args=[project.pk])
    for address in recipients:
        send_once(
            key=f"project-comment:{comment.pk}:{address}",
            to=address,
            template="project_comment",
            context={"project": project, "comment": comment, "admin_url": admin_url},
        )


@shared_task
def notify_client_of_reply(comment_id: int) -> None:
    comment = Comment.objects.select_related("project__company").filter(pk=comment_id).first()
    if comment is None:
        return
    project = comment.project
    url = project.get_absolute_url() + "#comentarii"
    for membership in _members(project.company):
        notify(
            user=membership.user,
            company=project.company,
            kind="project.reply",
            message="project.reply",
            params={"project": project.name},
            url=url,
            key=f"project-reply:{comment.pk}",
        )
        send_to_user_once(
            key=f"project-reply:{comment.pk}",
            user=membership.user,
            template="project_reply",
            context={"project": project, "comment": comment, "url": settings.SITE_URL + url},
        )
