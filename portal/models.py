import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.notification_messages import render_message
from portal.tenancy import CompanyScopedQuerySet
from portal.topics import Delivery, Topic


class AuditEntry(models.Model):
    """One significant action by a client or staff user; never edited."""

    created_at = models.DateTimeField(_("moment"), auto_now_add=True, db_index=True)
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("companie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilizator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    action = models.CharField(_("acțiune"), max_length=64, db_index=True)
    object_type = models.CharField(_("tip obiect"), max_length=64, blank=True)
    object_id = models.CharField(_("id obiect"), max_length=64, blank=True)
    object_repr = models.CharField(_("obiect"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("adresă IP"), null=True, blank=True)
    data = models.JSONField(_("detalii"), default=dict, blank=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("intrare în jurnal")
        verbose_name_plural = _("jurnal de activitate")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.action} {self.object_repr}"


class Notification(models.Model):
    """An in-app notification for one user about one event of their company.

    Its text is ``message`` (a key of ``portal.notification_messages.MESSAGES``) with ``params``, written
    in the reader's language when shown (``text``). ``title`` keeps the text in the site's language at
    creation: searched in the admin, and shown as is where no message applies (rows older than the
    messages whose title the migration could not read).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilizator"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("companie"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("tip"), max_length=64)
    message = models.CharField(_("mesaj"), max_length=64, blank=True)
    params = models.JSONField(_("parametri"), default=dict, blank=True)
    title = models.CharField(_("text la creare"), max_length=200)
    url = models.CharField(_("legătură"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("citită la"), null=True, blank=True)
    # Names the event, so a task that runs twice notifies once.
    key = models.CharField(_("cheia evenimentului"), max_length=200, blank=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notificare")
        verbose_name_plural = _("notificări")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The notification in the active language (the reader's)."""
        return render_message(self.message, self.params, self.title)


class NotificationPreference(models.Model):
    """How one user wants the emails of one topic; no row means immediately."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    topic = models.CharField(_("subiect"), max_length=16, choices=Topic.choices)
    delivery = models.CharField(_("email"), max_length=16, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        verbose_name = _("preferință de notificare")
        verbose_name_plural = _("preferințe de notificare")
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}: {self.delivery}"


class OutboundEmail(models.Model):
    """The delivery record that makes an email task safe to run twice.

    The key names the event and the recipient (e.g. ``company-approved:12:user:7``);
    once ``sent_at`` is set, the same key never sends again.

    A message rendered in the request (allauth's: verification, password reset, two-factor, email
    change) keeps its text here until a task has sent it; the text is then cleared, since it may
    hold a one-time link.
    """

    key = models.CharField(_("cheie"), max_length=200, unique=True)
    to = models.EmailField(_("destinatar"))
    template = models.CharField(_("șablon"), max_length=100)
    subject = models.CharField(_("subiect"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    sent_at = models.DateTimeField(_("trimis la"), null=True, blank=True)

    class Meta:
        verbose_name = _("email trimis")
        verbose_name_plural = _("emailuri trimise")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"


class PendingTask(models.Model):
    """A task the broker refused (Redis down): kept here and sent again by ``retry_pending_tasks``.

    The action that wanted the task has committed; this outbox makes sure its email or PDF
    still happens once the broker is back. Tasks are idempotent, so sending one twice is harmless.
    """

    task = models.CharField(_("sarcină"), max_length=200)
    args = models.JSONField(_("argumente"), default=list, blank=True)
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("încercări"), default=0)
    last_error = models.CharField(_("ultima eroare"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sarcină în așteptare")
        verbose_name_plural = _("sarcini în așteptare")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
