"""Projects the supplier runs for a client company, their tasks, dependencies and milestones.

Progress is derived, never stored: see ``projects.progress``.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.tenancy import CompanyScopedQuerySet


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planificat", _("planificat")
        IN_PROGRESS = "in_desfasurare", _("în desfășurare")
        SUSPENDED = "suspendat", _("suspendat")
        DONE = "finalizat", _("finalizat")
        CANCELLED = "anulat", _("anulat")

    CLOSED = (Status.DONE, Status.CANCELLED)

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="projects"
    )
    code = models.CharField(_("cod"), max_length=32, help_text=_("Codul proiectului la furnizor, ex. PRJ-2026-014."))
    name = models.CharField(_("denumire"), max_length=200)
    description = models.TextField(_("descriere"), blank=True)
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True)
    planned_start = models.DateField(_("început planificat"))
    planned_end = models.DateField(_("sfârșit planificat"))
    actual_start = models.DateField(_("început efectiv"), null=True, blank=True)
    actual_end = models.DateField(_("sfârșit efectiv"), null=True, blank=True)
    manager_name = models.CharField(
        _("manager de proiect"),
        max_length=120,
        blank=True,
        help_text=_("Managerul de proiect din partea furnizorului."),
    )
    manager_email = models.EmailField(_("email manager"), blank=True)
    manager_phone = models.CharField(_("telefon manager"), max_length=32, blank=True)
    offer = models.ForeignKey(
        "quotes.Offer",
        verbose_name=_("ofertă"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Oferta acceptată din care provine (a aceleiași companii)."),
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        help_text=_("Contractul din care provine proiectul (al aceleiași companii)."),
    )
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizat la"), auto_now=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proiect")
        verbose_name_plural = _("proiecte")
        ordering = ["-planned_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="project_unique_code_per_company"),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")), name="project_planned_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_start__isnull=False, actual_end__gte=F("actual_start")),
                name="project_actual_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.public_id])

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def is_late(self) -> bool:
        """Past its planned end and neither finished nor cancelled."""
        return self.is_late_on(timezone.localdate())

    def is_late_on(self, today: date) -> bool:
        return not self.is_closed and self.planned_end < today

    @property
    def delay_days(self) -> int:
        """Days past the planned end: at the actual end, or today while the project is open."""
        end = self.actual_end or (None if self.is_closed else timezone.localdate())
        return max(0, (end - self.planned_end).days) if end else 0


class TaskQuerySet(CompanyScopedQuerySet):
    def open(self):
        return self.exclude(status__in=Task.CLOSED)

    def late(self, today=None):
        return self.open().filter(end__lt=today or timezone.localdate())


class Task(models.Model):
    """One task of a project; a milestone is a task of zero length (start == end)."""

    class Status(models.TextChoices):
        NOT_STARTED = "neinceput", _("neînceput")
        IN_PROGRESS = "in_lucru", _("în lucru")
        ON_HOLD = "in_asteptare", _("în așteptare")
        DONE = "finalizat", _("finalizat")
        CANCELLED = "anulat", _("anulat")

    CLOSED = (Status.DONE, Status.CANCELLED)

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="project_tasks"
    )
    project = models.ForeignKey(Project, verbose_name=_("proiect"), on_delete=models.CASCADE, related_name="tasks")
    phase = models.CharField(
        _("fază"),
        max_length=100,
        blank=True,
        help_text=_("Sarcinile cu aceeași fază sunt grupate împreună, ex. „Analiză”."),
    )
    position = models.PositiveIntegerField(_("ordine"), default=0)
    # The ERP's own key for the task (tasks pushed through the API are matched by it; staff's have none).
    erp_key = models.CharField(_("cheie ERP"), max_length=64, blank=True, editable=False)
    title = models.CharField(_("titlu"), max_length=200)
    description = models.TextField(_("descriere"), blank=True)
    start = models.DateField(_("început"))
    end = models.DateField(_("sfârșit"))
    is_milestone = models.BooleanField(
        _("jalon"), default=False, help_text=_("Un jalon este un moment: începutul și sfârșitul coincid.")
    )
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("progres (%)"), default=0)
    responsible = models.CharField(_("responsabil furnizor"), max_length=120, blank=True)
    client_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persoană de contact client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_tasks",
    )
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("depinde de"), symmetrical=False, blank=True, related_name="successors"
    )
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizată la"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("sarcină")
        verbose_name_plural = _("sarcini")
        ordering = ["project", "position", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="task_end_not_before_start"),
            models.CheckConstraint(
                condition=Q(is_milestone=False) | Q(end=F("start")), name="task_milestone_has_zero_length"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_at_most_100"),
            models.UniqueConstraint(
                fields=["project", "erp_key"], condition=~Q(erp_key=""), name="task_unique_erp_key_per_project"
            ),
        ]
        indexes = [models.Index(fields=["project", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_late(self) -> bool:
        """Past its end date and not done (a cancelled task is never late)."""
        return not self.is_closed and self.end < timezone.localdate()

    @property
    def duration_days(self) -> int:
        """Calendar days, both ends included; a milestone lasts 0 days."""
        return 0 if self.is_milestone else (self.end - self.start).days + 1

    @property
    def effective_progress(self) -> int:
        return 100 if self.is_done else min(self.progress, 100)


class Comment(models.Model):
    """A message in a project's thread: from a client member, or from the supplier (staff, in admin)."""

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="project_comments"
    )
    project = models.ForeignKey(Project, verbose_name=_("proiect"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_comments",
    )
    from_supplier = models.BooleanField(_("de la furnizor"), default=False)
    body = models.TextField(_("mesaj"))
    created_at = models.DateTimeField(_("trimis la"), auto_now_add=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("comentariu")
        verbose_name_plural = _("comentarii")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author or _('Furnizor')}: {self.body[:60]}"


class CommentAttachment(models.Model):
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("comentariu"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.ForeignKey("files.StoredFile", verbose_name=_("fișier"), on_delete=models.PROTECT, related_name="+")

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("atașament")
        verbose_name_plural = _("atașamente")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.original_name
