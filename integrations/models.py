"""The supplier's ERP as a client of the portal's API: its keys (stored hashed, shown once), the resource
groups each may read and write, the networks it may call from; webhook endpoints and their deliveries."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resource(models.TextChoices):
    """The API's resource groups; a key holds ``<group>:read`` and/or ``<group>:write``."""

    COMPANIES = "companies", _("companii")
    CATALOGUE = "catalogue", _("catalog produse")
    OFFERS = "offers", _("cereri de ofertă și oferte")
    PROJECTS = "projects", _("proiecte")
    BILLING = "billing", _("facturi și plăți")
    CONTRACTS = "contracts", _("contracte")
    SHIPMENTS = "shipments", _("expedieri")
    DOCUMENTS = "documents", _("documente")
    SUPPORT = "support", _("suport")


SCOPE_CHOICES = [
    (f"{resource.value}:{access}", f"{resource.label} — {label}")
    for resource in Resource
    for access, label in (("read", _("citire")), ("write", _("scriere")))
]


class Integration(models.Model):
    """One ERP (or one of its environments) allowed to call the API with one key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("denumire"), max_length=100, unique=True)
    key_prefix = models.CharField(_("prefixul cheii"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("drepturi"), default=list, blank=True)
    allowed_networks = models.TextField(
        _("rețele permise"),
        blank=True,
        help_text=_("O rețea pe rând (de exemplu 10.0.0.0/8 sau 203.0.113.7/32); gol: de oriunde."),
    )
    revoked_at = models.DateTimeField(_("revocată la"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("ultima folosire"), null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(_("ultimul IP"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creată de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)

    class Meta:
        verbose_name = _("integrare ERP")
        verbose_name_plural = _("integrări ERP")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class WebhookEndpoint(models.Model):
    """A URL of the ERP that hears about some events, each delivery signed with this endpoint's secret."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    integration = models.ForeignKey(
        Integration, verbose_name=_("integrare"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("adresă"), max_length=500)
    events = models.JSONField(_("evenimente"), default=list)
    secret = models.CharField(_("secret de semnare"), max_length=64, editable=False)
    is_active = models.BooleanField(_("activ"), default=True)
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook-uri")
        ordering = ["integration", "url"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: sent after commit, retried with backoff for a day, then failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("în așteptare")
        DELIVERED = "delivered", _("livrat")
        FAILED = "failed", _("eșuat")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("id eveniment"))
    event = models.CharField(_("eveniment"), max_length=64)
    payload = models.JSONField(_("conținut"))
    status = models.CharField(_("stare"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("încercări"), default=0)
    next_attempt_at = models.DateTimeField(_("următoarea încercare"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("livrat la"), null=True, blank=True)
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)

    class Meta:
        verbose_name = _("livrare webhook")
        verbose_name_plural = _("livrări webhook")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """What the ERP answered to one try of a delivery (for the delivery log)."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("livrare"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("la"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("cod HTTP"), null=True, blank=True)
    response = models.CharField(_("răspuns"), max_length=500, blank=True)
    error = models.CharField(_("eroare"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("durată (ms)"), default=0)

    class Meta:
        verbose_name = _("încercare de livrare")
        verbose_name_plural = _("încercări de livrare")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error}"
