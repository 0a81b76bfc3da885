"""Notifications: an in-app row now, an email after commit, each delivered once.

Templates live in ``templates/emails/<name>_subject.txt``, ``<name>_body.txt`` and
``<name>_body.html`` and are rendered in the recipient's language.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from portal.models import Notification, OutboundEmail


def _render_plain(name: str, context: dict) -> str:
    # Plain text is not HTML: "O'Brien & fiii" must not arrive as "O&#x27;Brien &amp; fiii".
    return get_template(name).template.render(Context(context, autoescape=False))


def render_email(template: str, context: dict, language: str) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, "supplier": settings.SUPPLIER, **context}
    with translation.override(language):
        subject = _render_plain(f"emails/{template}_subject.txt", context)
        text = _render_plain(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    return subject, text, html


def send_once(*, key: str, to: str, template: str, context: dict, language: str | None = None) -> bool:
    """Send a templated email unless one with ``key`` has been sent. Returns True if sent now.

    The row lock makes two concurrent runs of the same task send one email; if sending
    fails the transaction rolls back and a retry sends it.
    """
    with transaction.atomic():
        OutboundEmail.objects.get_or_create(key=key, defaults={"to": to, "template": template})
        record = OutboundEmail.objects.select_for_update().get(key=key)
        if record.sent_at:
            return False
        subject, text, html = render_email(template, context, language or settings.LANGUAGE_CODE)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
        message.attach_alternative(html, "text/html")
        message.send()
        record.to, record.subject, record.sent_at = to, subject, timezone.now()
        record.save(update_fields=["to", "subject", "sent_at"])
    return True


def send_to_user_once(*, key: str, user, template: str, context: dict) -> bool:
    return send_once(
        key=f"{key}:user:{user.pk}", to=user.email, template=template,
        context={"user": user, **context}, language=user.language,
    )


def notify(*, user, company, kind: str, title: str, url: str = "", key: str = "") -> Notification:
    """An in-app notification; with a ``key``, the same event notifies a user once."""
    if not key:
        return Notification.objects.create(user=user, company=company, kind=kind, title=title[:200], url=url)
    notification, _created = Notification.objects.get_or_create(
        user=user, key=key, defaults={"company": company, "kind": kind, "title": title[:200], "url": url})
    return notification
