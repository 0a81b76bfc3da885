"""Notifications: an in-app row now, an email after commit, each delivered once.

Templates live in ``templates/emails/<name>_subject.txt``, ``<name>_body.txt`` and
``<name>_body.html`` and are rendered in the recipient's language. An in-app notification stores a
message key and its parameters (``portal.notification_messages``), written in the reader's language
when shown: the list page, the daily digest.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from portal.models import Notification, NotificationPreference, OutboundEmail
from portal.notification_messages import MESSAGES, render_message
from portal.topics import Delivery, topic_of


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


def store_rendered(*, message: EmailMessage, template: str) -> OutboundEmail:
    """Keep a message rendered in the request, to be sent by a task (``send_rendered``).

    Each message gets its own key: a retried task finds it sent and sends nothing.
    """
    html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    text = message.body
    if message.content_subtype == "html":  # an HTML-only message
        html, text = message.body, ""
    [to] = message.to
    return OutboundEmail.objects.create(
        key=f"rendered:{uuid.uuid4().hex}",
        to=to,
        template=template[:100],
        subject=message.subject[:300],
        text=text,
        html=html,
    )


def send_rendered(outbound_id: int) -> bool:
    """Send a stored message unless it has been sent; True if sent now.

    As in ``send_once``, the row lock makes two runs send one email, and a failed send rolls back
    so that the retry sends it. Once sent, the text is cleared: it may hold a one-time link.
    """
    with transaction.atomic():
        record = OutboundEmail.objects.select_for_update().filter(pk=outbound_id).first()
        if record is None or record.sent_at:
            return False
        message = EmailMultiAlternatives(record.subject, record.text, settings.DEFAULT_FROM_EMAIL, [record.to])
        if record.html and record.text:
            message.attach_alternative(record.html, "text/html")
        elif record.html:
            message.body, message.content_subtype = record.html, "html"
        message.send()
        record.sent_at, record.text, record.html = timezone.now(), "", ""
        record.save(update_fields=["sent_at", "text", "html"])
    return True


def delivery_for(user, topic: str | None) -> str:
    if topic is None:
        return Delivery.IMMEDIATE
    preference = NotificationPreference.objects.filter(user=user, topic=topic).first()
    return preference.delivery if preference else Delivery.IMMEDIATE


def send_to_user_once(*, key: str, user, template: str, context: dict) -> bool:
    """Email a user about an event, unless they chose the daily digest or no email for its topic."""
    if delivery_for(user, topic_of(template)) != Delivery.IMMEDIATE:
        return False
    return send_once(
        key=f"{key}:user:{user.pk}",
        to=user.email,
        template=template,
        context={"user": user, **context},
        language=user.language,
    )


def notify(
    *, user, company, kind: str, message: str, params: dict | None = None, url: str = "", key: str = ""
) -> Notification:
    """An in-app notification; with a ``key``, the same event notifies a user once.

    ``message`` is a key of ``MESSAGES`` and ``params`` its JSON parameters: the text is written in the
    reader's language when shown (``Notification.text``), not now.
    """
    if message not in MESSAGES:
        raise ValueError(f"Unknown notification message: {message!r}")
    params = params or {}
    with translation.override(settings.LANGUAGE_CODE):
        title = render_message(message, params, "")[:200]
    if not title:
        raise ValueError(f"The parameters {sorted(params)} do not fit the message {message!r}")
    fields = {"company": company, "kind": kind, "message": message, "params": params, "title": title, "url": url}
    if not key:
        return Notification.objects.create(user=user, **fields)
    notification, _created = Notification.objects.get_or_create(user=user, key=key, defaults=fields)
    return notification


def digest_items(user, *, since) -> list[Notification]:
    """The user's notifications since ``since`` whose topic they chose to get in the digest."""
    digest_topics = set(
        NotificationPreference.objects.filter(user=user, delivery=Delivery.DIGEST).values_list("topic", flat=True)
    )
    if not digest_topics:
        return []
    recent = Notification.objects.filter(user=user, created_at__gt=since).select_related("company")
    return [n for n in recent.order_by("created_at") if topic_of(n.kind) in digest_topics]


def send_digest(*, user, day) -> bool:
    """At most one digest email per user and day, with exactly the items of their digest topics."""
    previous = (
        OutboundEmail.objects.filter(key__startswith=f"digest:{user.pk}:", sent_at__isnull=False)
        .exclude(key=f"digest:{user.pk}:{day.isoformat()}")
        .order_by("-sent_at")
        .first()
    )
    since = previous.sent_at if previous else timezone.make_aware(datetime.combine(day - timedelta(days=1), time()))
    items = digest_items(user, since=since)
    if not items:
        return False
    return send_once(
        key=f"digest:{user.pk}:{day.isoformat()}",
        to=user.email,
        template="digest",
        context={"user": user, "items": items, "day": day},
        language=user.language,
    )
