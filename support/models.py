"""Support tickets: a ticket, its conversation, attachments and status history.

A ticket may point at any object of its company (a project, an invoice, a shipment...) through a
generic link, so support depends on no other section's migrations.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BooleanField, Case, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.tenancy import CompanyScopedQuerySet
from support.conf import reopen_days, sla_warning


def awaiting_client_first():
    """0 for a ticket waiting for the client's reply, 1 otherwise: the ticket list sorts on it, and an
    index is built on the same expression."""
    return Case(When(status="asteapta_client", then=Value(0)), default=Value(1), output_field=IntegerField())


class TicketQuerySet(CompanyScopedQuerySet):
    def with_breach(self, now: datetime | None = None):
        """Annotate ``late_response`` / ``late_resolution`` / ``breached`` (a service level missed)."""
        now_value = Value(now or timezone.now(), output_field=models.DateTimeField())
        response_at = Coalesce("first_responded_at", "resolved_at", "closed_at", now_value)
        resolution_at = Coalesce("resolved_at", "closed_at", "waiting_since", now_value)
        response_late = GreaterThan(response_at, F("first_response_due"))
        resolution_late = GreaterThan(resolution_at, F("resolution_due"))
        return self.annotate(
            late_response=ExpressionWrapper(response_late, output_field=BooleanField()),
            late_resolution=ExpressionWrapper(resolution_late, output_field=BooleanField()),
            breached=ExpressionWrapper(Q(response_late) | Q(resolution_late), output_field=BooleanField()),
        )

    def breached(self, now: datetime | None = None):
        return self.with_breach(now).filter(breached=True)

    def not_breached(self, now: datetime | None = None):
        return self.with_breach(now).filter(breached=False)

    def near_deadline(self, now: datetime | None = None):
        """Tickets staff owe something now: open or in progress, their next target (the first response, then
        the resolution) past or within ``sla_warning()``. A ticket waiting for the client owes nothing."""
        limit = (now or timezone.now()) + sla_warning()
        return self.filter(status__in=[Ticket.Status.OPEN, Ticket.Status.IN_PROGRESS]).filter(
            Q(first_responded_at__isnull=True, first_response_due__lte=limit)
            | Q(first_responded_at__isnull=False, resolution_due__lte=limit)
        )


class Ticket(models.Model):
    class Category(models.TextChoices):
        TECHNICAL = "tehnic", _("tehnic")
        COMMERCIAL = "comercial", _("comercial")
        BILLING = "facturare", _("facturare")
        DELIVERY = "livrare", _("livrare")
        OTHER = "altele", _("altele")

    class Priority(models.TextChoices):
        LOW = "scazuta", _("scăzută")
        NORMAL = "normala", _("normală")
        HIGH = "ridicata", _("ridicată")
        URGENT = "urgenta", _("urgentă")

    class Status(models.TextChoices):
        OPEN = "deschis", _("deschis")
        IN_PROGRESS = "in_lucru", _("în lucru")
        WAITING = "asteapta_client", _("așteaptă răspunsul clientului")
        RESOLVED = "rezolvat", _("rezolvat")
        CLOSED = "inchis", _("închis")

    ACTIVE_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING)
    ENDED_STATUSES = (Status.RESOLVED, Status.CLOSED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="tickets"
    )
    number = models.CharField(_("număr"), max_length=20, unique=True, editable=False)
    subject = models.CharField(_("subiect"), max_length=200)
    description = models.TextField(_("descriere"))
    category = models.CharField(_("categorie"), max_length=16, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(_("prioritate"), max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.OPEN)
    linked_type = models.ForeignKey(
        ContentType, verbose_name=_("legat de (tip)"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_id = models.PositiveBigIntegerField(_("legat de (id)"), null=True, blank=True)
    linked = GenericForeignKey("linked_type", "linked_id")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("deschis de"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsabil"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("deschis la"), default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(_("ultima activitate"), default=timezone.now, editable=False)
    # Service levels: targets computed from the priority when the ticket opens (or its priority changes).
    sla_started_at = models.DateTimeField(_("termene calculate de la"), default=timezone.now, editable=False)
    first_response_due = models.DateTimeField(_("răspuns până la"), editable=False)
    resolution_due = models.DateTimeField(_("rezolvare până la"), editable=False)
    # The resolution clock stops while the ticket waits for the client; leaving that status moves the target.
    waiting_since = models.DateTimeField(_("așteaptă clientul din"), null=True, blank=True, editable=False)
    sla_paused = models.DurationField(_("timp de așteptare a clientului"), default=timedelta, editable=False)
    first_responded_at = models.DateTimeField(_("primul răspuns la"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("rezolvat la"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("închis la"), null=True, blank=True, editable=False)
    rating = models.PositiveSmallIntegerField(_("evaluare"), null=True, blank=True, editable=False)
    rating_comment = models.TextField(_("comentariul evaluării"), blank=True, editable=False)
    rated_at = models.DateTimeField(_("evaluat la"), null=True, blank=True, editable=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluat de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("tichet")
        verbose_name_plural = _("tichete")
        ordering = ["-last_activity_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="ticket_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(linked_type__isnull=True, linked_id__isnull=True)
                | Q(linked_type__isnull=False, linked_id__isnull=False),
                name="ticket_link_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status", "-last_activity_at"]),
            # The ticket list's order (awaiting the client first, then latest activity), so a page of a
            # company with 10,000 tickets reads 25 index entries instead of sorting every ticket.
            models.Index(
                F("company"),
                awaiting_client_first(),
                F("last_activity_at").desc(),
                F("id").desc(),
                name="support_ticket_list_order",
            ),
            models.Index(fields=["status", "first_response_due"]),
            models.Index(fields=["linked_type", "linked_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("support:detail", args=[self.public_id])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_awaiting_client(self) -> bool:
        return self.status == self.Status.WAITING

    @property
    def ended_at(self) -> datetime | None:
        """When the ticket stopped being worked on: resolved, else closed (the reopen window starts here)."""
        return self.resolved_at or self.closed_at

    def first_response_late(self, now: datetime | None = None) -> bool:
        answered = self.first_responded_at or self.resolved_at or self.closed_at or now or timezone.now()
        return answered > self.first_response_due

    def resolution_late(self, now: datetime | None = None) -> bool:
        return (self.resolved_at or self.closed_at or self.waiting_since or now or timezone.now()) > self.resolution_due

    def is_breached(self, now: datetime | None = None) -> bool:
        return self.first_response_late(now) or self.resolution_late(now)

    def can_reopen(self, now: datetime | None = None) -> bool:
        ended = self.ended_at
        if self.status not in self.ENDED_STATUSES or ended is None:
            return False
        return (now or timezone.now()) <= ended + timedelta(days=reopen_days())

    def reopen_until(self) -> datetime | None:
        ended = self.ended_at
        return ended + timedelta(days=reopen_days()) if ended else None

    @property
    def can_rate(self) -> bool:
        return self.status in self.ENDED_STATUSES and self.rating is None

    @classmethod
    def client_status_labels(cls) -> dict[str, str]:
        """Each status as the client reads it: a ticket waiting for the client says so."""
        return {**dict(cls.Status.choices), cls.Status.WAITING: gettext("așteaptă răspunsul dvs.")}

    @property
    def status_label(self) -> str:
        return self.client_status_labels()[self.status]

    def expected_text(self, now: datetime | None = None) -> str:
        """What the client may expect next and by when, or that it is late; empty when nothing is due."""
        expected = self.expected_at(now)
        if expected is None:
            return ""
        kind, deadline, late = expected
        if late:
            return (
                gettext("răspunsul întârzie; revenim cât mai curând")
                if kind == "response"
                else gettext("rezolvarea întârzie; revenim cât mai curând")
            )
        when = formats.date_format(timezone.localtime(deadline), "SHORT_DATETIME_FORMAT")
        if kind == "response":
            return gettext("răspuns așteptat până la %(date)s") % {"date": when}
        return gettext("rezolvare estimată până la %(date)s") % {"date": when}

    @property
    def expected_by(self) -> tuple[str, datetime, bool] | None:
        """What the client may expect next, by when, and whether that is already late:
        ("response"|"resolution", deadline, overdue)."""
        return self.expected_at()

    def expected_at(self, now: datetime | None = None) -> tuple[str, datetime, bool] | None:
        if not self.is_active or self.status == self.Status.WAITING:
            return None
        kind, deadline = (
            ("response", self.first_response_due)
            if self.first_responded_at is None
            else ("resolution", self.resolution_due)
        )
        return kind, deadline, deadline < (now or timezone.now())


class TicketCounter(models.Model):
    """The last ticket number given in a year (T-2026-00042); the row lock serialises numbering."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("contor tichete")
        verbose_name_plural = _("contoare tichete")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class MessageQuerySet(CompanyScopedQuerySet):
    def public(self):
        """What the client may see: everything except the staff's internal notes."""
        return self.filter(is_internal=False)


class Message(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(Ticket, verbose_name=_("tichet"), on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("autor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_staff = models.BooleanField(_("de la furnizor"), default=False)
    is_internal = models.BooleanField(
        _("notă internă"), default=False, help_text=_("Vizibilă doar personalului furnizorului, niciodată clientului.")
    )
    body = models.TextField(_("mesaj"))
    created_at = models.DateTimeField(_("trimis la"), default=timezone.now, editable=False)
    # A reply written in the ERP's helpdesk (support/api.py): its id there, so a second push of it is
    # recognised, and who wrote it (no user of the portal).
    erp_key = models.CharField(_("cheie ERP"), max_length=100, blank=True, default="", editable=False)
    author_name = models.CharField(_("scris de"), max_length=120, blank=True, default="", editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("mesaj")
        verbose_name_plural = _("mesaje")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_internal=False) | Q(from_staff=True), name="message_internal_only_from_staff"
            ),
            models.UniqueConstraint(
                fields=["ticket", "erp_key"], condition=~Q(erp_key=""), name="message_unique_erp_key_per_ticket"
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket.number} · {timezone.localtime(self.created_at):%d.%m.%Y %H:%M}"


class AttachmentQuerySet(CompanyScopedQuerySet):
    def public(self):
        return self.filter(Q(message__isnull=True) | Q(message__is_internal=False))


class Attachment(models.Model):
    """A file of a ticket: of its description (no message) or of one message."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(Ticket, verbose_name=_("tichet"), on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, verbose_name=_("mesaj"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.ForeignKey("files.StoredFile", verbose_name=_("fișier"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("adăugat la"), default=timezone.now, editable=False)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("atașament")
        verbose_name_plural = _("atașamente")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file.original_name


class StatusChange(models.Model):
    """One change of a ticket's status: the history shown in the conversation and the key of its email."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("tichet"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("din starea"), max_length=16, choices=Ticket.Status.choices)
    to_status = models.CharField(_("în starea"), max_length=16, choices=Ticket.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("de către"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_staff = models.BooleanField(_("de furnizor"), default=False)
    created_at = models.DateTimeField(_("la"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("schimbare de stare")
        verbose_name_plural = _("schimbări de stare")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_status} → {self.to_status}"
