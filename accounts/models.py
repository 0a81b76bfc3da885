import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import cui_digits, validate_cui, validate_iban, validate_reg_com
from portal.counties import county_problem


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("The email must be set")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person; logs in with email. Client users belong to companies through Membership."""

    username = None
    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(_("telefon"), max_length=32, blank=True)
    language = models.CharField(_("limba"), max_length=8, choices=settings.LANGUAGES, default="ro")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilizator")
        verbose_name_plural = _("utilizatori")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class CompanyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Company.Status.ACTIVE)

    def with_cui(self, cui: str):
        """The company with this CUI, written with or without the RO prefix."""
        digits = cui_digits(cui)
        return self.filter(cui__in=[digits, f"RO{digits}"])


class Company(models.Model):
    """A client company of the supplier; the tenant every client-owned row belongs to."""

    class Status(models.TextChoices):
        PENDING = "pending", _("în așteptarea aprobării")
        ACTIVE = "active", _("activă")
        REJECTED = "rejected", _("respinsă")
        SUSPENDED = "suspended", _("suspendată")

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("denumire"), max_length=200)
    cui = models.CharField(
        _("CUI"),
        max_length=12,
        unique=True,
        validators=[validate_cui],
        help_text=_("Codul unic de înregistrare, cu prefixul RO pentru plătitorii de TVA."),
    )
    reg_com = models.CharField(_("Nr. Reg. Com."), max_length=20, blank=True, validators=[validate_reg_com])
    address = models.CharField(_("adresă"), max_length=255)
    city = models.CharField(_("localitate"), max_length=100)
    county = models.CharField(_("județ"), max_length=100)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("înregistrată la"), auto_now_add=True)
    approved_at = models.DateTimeField(_("aprobată la"), null=True, blank=True)
    # Changed by database triggers (dashboard/stamps.py) in the transaction that changes what the
    # dashboard's cards read (data) or which documents a member sees (documents): the keys of its caches.
    data_stamp = models.BigIntegerField(default=0, editable=False)
    documents_stamp = models.BigIntegerField(default=0, editable=False)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("companie")
        verbose_name_plural = _("companii")
        ordering = ["name"]
        constraints = [
            # RO marks a VAT payer; the company is the same with or without it.
            models.UniqueConstraint(
                Replace("cui", Value("RO"), Value("")),
                name="company_unique_cui_digits",
                violation_error_message=_("Există deja o companie cu acest CUI (cu sau fără prefixul RO)."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        # An empty county is the field's own "required" error; e-Factura needs a county it can code.
        if self.county:
            problem = county_problem(county=self.county, city=self.city, address=self.address)
            if problem:
                raise ValidationError({"county": problem})

    @property
    def cui_digits(self) -> str:
        return self.cui.removeprefix("RO")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(
            status=Membership.Status.ACTIVE,
            company__status=Company.Status.ACTIVE,
            user__is_active=True,
        )

    def pending(self):
        return self.filter(status=Membership.Status.PENDING)

    def requested(self):
        """Pending requests that were made: the registrant verified their email address."""
        return self.pending().filter(requested_at__isnull=False)

    def for_company(self, company):
        if company is None:
            return self.none()
        return self.filter(company=company)

    def with_right(self, right: str):
        """The memberships holding ``right``: the query twin of ``Membership.has_right``."""
        if right not in Membership.RIGHTS:
            raise ValueError(f"Unknown right {right!r}")
        holders = Q(role=Membership.Role.ADMIN)
        if right in Membership.RIGHT_FIELDS:
            holders |= Q(**{Membership.RIGHT_FIELDS[right]: True})
        return self.filter(holders)


class Membership(models.Model):
    """A user's place in a company: role, rights, and whether it has been approved."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        MEMBER = "member", _("membru")

    class Status(models.TextChoices):
        PENDING = "pending", _("în așteptarea aprobării")
        ACTIVE = "active", _("activ")
        REJECTED = "rejected", _("respins")

    # Rights later sections check with company_member_required(right=...).
    RIGHTS = ("manage_members", "accept_offers", "billing")
    # The rights a plain member can be given; administrators hold every right, manage_members only they.
    RIGHT_FIELDS = {"accept_offers": "can_accept_offers", "billing": "can_see_billing"}

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, verbose_name=_("utilizator"), on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(
        Company, verbose_name=_("companie"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    can_accept_offers = models.BooleanField(_("poate accepta oferte"), default=False)
    can_see_billing = models.BooleanField(_("vede facturi și plăți"), default=False)
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.PENDING)
    job_title = models.CharField(_("funcție"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    # A signup's request reaches the company's admins (or staff, for a new company) only once the
    # registrant has verified their email address (accounts.services.registration_email_verified).
    requested_at = models.DateTimeField(_("cerere trimisă la"), null=True, blank=True)
    approved_at = models.DateTimeField(_("aprobat la"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("aprobat de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membru")
        verbose_name_plural = _("membri")
        ordering = ["company__name", "user__last_name", "user__first_name"]
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="membership_unique_user_company")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def has_right(self, right: str) -> bool:
        if right not in self.RIGHTS:
            raise ValueError(f"Unknown right {right!r}")
        if self.is_admin:
            return True
        return right in self.RIGHT_FIELDS and getattr(self, self.RIGHT_FIELDS[right])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_company(self, company):
        if company is None:
            return self.none()
        return self.filter(company=company)


class Invitation(models.Model):
    """A company admin's invitation for a colleague; the emailed token is stored only hashed."""

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company, verbose_name=_("companie"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("rol"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    can_accept_offers = models.BooleanField(_("poate accepta oferte"), default=False)
    can_see_billing = models.BooleanField(_("vede facturi și plăți"), default=False)
    token_hash = models.CharField(_("amprenta codului de invitație"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invitat de"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("trimisă la"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expiră la"))
    accepted_at = models.DateTimeField(_("acceptată la"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("anulată la"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitație")
        verbose_name_plural = _("invitații")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


def data_export_path(instance: "DataExport", filename: str) -> str:
    return f"privacy-exports/{instance.public_id}.zip"


class DataExport(models.Model):
    """A ZIP of one person's own data (GDPR art. 15 and 20), built by a task, kept a few days.

    Stored privately and served only to the person (or the staff member who asked for it);
    ``apply_retention`` deletes it with its file after ``RETENTION_EXPORT_DAYS``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("în pregătire")
        READY = "ready", _("gata")

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, verbose_name=_("persoana"), on_delete=models.CASCADE, related_name="data_exports")
    requested_by = models.ForeignKey(
        User, verbose_name=_("cerut de"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("stare"), max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("fișier"), upload_to=data_export_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("mărime (octeți)"), default=0)
    created_at = models.DateTimeField(_("cerut la"), auto_now_add=True)
    ready_at = models.DateTimeField(_("gata la"), null=True, blank=True)
    expires_at = models.DateTimeField(_("se șterge la"), db_index=True)

    class Meta:
        verbose_name = _("export de date personale")
        verbose_name_plural = _("exporturi de date personale")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%d.%m.%Y %H:%M}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)
