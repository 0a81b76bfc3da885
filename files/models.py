import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from files.links import LINKABLES
from portal.tenancy import CompanyScopedQuerySet


def stored_file_path(instance: "StoredFile", filename: str) -> str:
    # Generated names only: the client's file name is kept in original_name, never on disk.
    extension = PurePosixPath(filename).suffix.lower()
    return f"companies/{instance.company.public_id}/{instance.public_id}{extension}"


class StoredFile(models.Model):
    """One private file (an upload or a generated PDF). Served only by views that check access."""

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="stored_files"
    )
    file = models.FileField(_("fișier"), upload_to=stored_file_path, max_length=255)
    original_name = models.CharField(_("nume original"), max_length=255)
    content_type = models.CharField(_("tip"), max_length=100)
    size = models.PositiveBigIntegerField(_("mărime (octeți)"))
    sha256 = models.CharField(_("amprentă SHA-256"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("încărcat de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("încărcat la"), auto_now_add=True)

    objects = CompanyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("fișier stocat")
        verbose_name_plural = _("fișiere stocate")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return PurePosixPath(self.original_name).suffix.lower().lstrip(".")

    @property
    def can_preview(self) -> bool:
        return self.content_type in PREVIEWABLE_TYPES


PREVIEWABLE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


class DocumentQuerySet(CompanyScopedQuerySet):
    def visible_to(self, membership):
        """The documents of the membership's company that its rights allow it to see: not linked to an
        object whose section needs a right it lacks (files/links.py), not of a category that needs one
        (``CategoryAccess``). Every client-facing read of documents starts here."""
        if not membership:
            return self.none()
        queryset = self.for_company(membership.company)
        types = _hidden_linked_types(membership)
        if types:
            queryset = queryset.exclude(linked_type__in=types)
        if missing_rights(membership):
            # A subquery, not a list: no extra query, and a rule staff just changed holds at once.
            queryset = queryset.exclude(category__in=hidden_categories(membership))
        return queryset

    def hidden_from(self, membership):
        """The documents of the membership's company that ``visible_to`` leaves out."""
        if not membership:
            return self.none()
        conditions = []
        types = _hidden_linked_types(membership)
        if types:
            conditions.append(Q(linked_type__in=types))
        if missing_rights(membership):
            conditions.append(Q(category__in=hidden_categories(membership)))
        if not conditions:
            return self.none()
        hidden = conditions[0]
        for condition in conditions[1:]:
            hidden |= condition
        return self.for_company(membership.company).filter(hidden)


def _hidden_linked_types(membership) -> list[ContentType]:
    hidden = [key for key, link in LINKABLES.items() if link.right and not membership.has_right(link.right)]
    return [ContentType.objects.get_by_natural_key(*key.split(".")) for key in hidden]


class Document(models.Model):
    """An entry of the company's document centre; its file is the current version's."""

    class Category(models.TextChoices):
        TECHNICAL = "tehnic", _("tehnic")
        COMMERCIAL = "comercial", _("comercial")
        FINANCIAL = "financiar", _("financiar")
        DELIVERY = "livrare", _("livrare")
        CONTRACTUAL = "contractual", _("contractual")
        OTHER = "altele", _("altele")

    class Source(models.TextChoices):
        SUPPLIER = "supplier", _("de la furnizor")
        CLIENT = "client", _("încărcat de companie")

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("companie"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("titlu"), max_length=200)
    category = models.CharField(_("categorie"), max_length=16, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("descriere"), blank=True)
    source = models.CharField(_("sursă"), max_length=16, choices=Source.choices, default=Source.SUPPLIER)
    linked_type = models.ForeignKey(
        ContentType, verbose_name=_("legat de (tip)"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_id = models.PositiveBigIntegerField(_("legat de (id)"), null=True, blank=True)
    linked = GenericForeignKey("linked_type", "linked_id")
    current_version = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("versiunea curentă"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("adăugat de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("adăugat la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizat la"), auto_now=True, db_index=True)
    # The ERP's own key of a document it pushed (files/api.py): a second push of it is recognised by it.
    erp_key = models.CharField(_("cheie ERP"), max_length=100, blank=True, default="", editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documente")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-updated_at"]),
            models.Index(fields=["linked_type", "linked_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "erp_key"], condition=~Q(erp_key=""), name="document_unique_erp_key_per_company"
            )
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versiunea"))
    file = models.ForeignKey(StoredFile, verbose_name=_("fișier"), on_delete=models.PROTECT, related_name="+")
    comment = models.CharField(_("ce s-a schimbat"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("încărcat de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("încărcat la"), auto_now_add=True)

    class Meta:
        verbose_name = _("versiune")
        verbose_name_plural = _("versiuni")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class DocumentSeen(models.Model):
    """Which version of a document a user has opened: the "nou" badge until they have."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="seen_by")
    version_number = models.PositiveIntegerField()
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="document_seen_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.document_id} v{self.version_number}"


class RequiredRight(models.TextChoices):
    """The rights of a membership (``Membership.RIGHTS``) a document category can require."""

    __empty__ = _("orice membru")
    BILLING = "billing", _("Vede facturi, plăți și fișa de cont")
    ACCEPT_OFFERS = "accept_offers", _("Poate accepta sau respinge oferte")
    MANAGE_MEMBERS = "manage_members", _("doar administratorii companiei")


class CategoryAccess(models.Model):
    """Which right a member needs to see the documents of one category (staff set it in admin).

    A category without a row, or with no right, is seen by every member of the company; a company
    admin has every right and sees every category.
    """

    category = models.CharField(_("categorie"), max_length=16, choices=Document.Category.choices, unique=True)
    required_right = models.CharField(
        _("dreptul necesar"),
        max_length=32,
        choices=RequiredRight.choices,
        blank=True,
        default="",
        help_text=_(
            "Documentele din această categorie sunt arătate în portal (listă, căutare, tablou de bord, "
            "notificări, descărcare) doar membrilor care au acest drept. Gol: le vede orice membru "
            "al companiei. Administratorii companiei au toate drepturile."
        ),
    )

    class Meta:
        verbose_name = _("acces pe categorie")
        verbose_name_plural = _("acces pe categorii")
        ordering = ["category"]

    def __str__(self) -> str:
        return str(self.get_category_display())


def missing_rights(membership) -> list[str]:
    """The rights of ``Membership.RIGHTS`` the membership does not have (none for a company admin)."""
    return [right for right in membership.RIGHTS if not membership.has_right(right)]


def hidden_categories(membership):
    """The one answer to "which document categories does this membership not see": a lazy query of
    ``category`` values (use it as a subquery, or ``set()`` it for one small query). Read fresh each
    time, never cached, so a rule staff change holds from the next request."""
    missing = missing_rights(membership) if membership else [right for right in RequiredRight.values if right]
    if not missing:
        return CategoryAccess.objects.none().values_list("category", flat=True)
    return CategoryAccess.objects.filter(required_right__in=missing).values_list("category", flat=True)


class UnreadDocuments(models.Model):
    """How many documents one member has not opened, and the newest of them: the dashboard's files card.

    Counted again only when it is out of date: the company's documents changed since (``stamp`` is not
    ``Company.documents_stamp``, which the database moves with every document, membership or category rule
    change) or the member opened a document (``opened`` changes, ``stamp`` is cleared). See
    ``selectors.unread_documents``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    stamp = models.BigIntegerField()
    opened = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    newest_title = models.CharField(max_length=200, blank=True)
    newest_id = models.UUIDField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="unread_documents_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.company_id}: {self.count}"
