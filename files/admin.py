from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Company
from files import services
from files.forms import upload_help
from files.links import LINKABLES
from files.models import CategoryAccess, Document, DocumentVersion, RequiredRight, StoredFile
from files.validation import validate_upload
from portal.forms import NUMBER_FIELD_OVERRIDES, WholeNumberField
from portal.money import format_file_size


def document_links(obj, *, category: str, upload_label=None, listing_label=None) -> str:
    """Admin links for the documents of a section's object: upload more (pre-filled), and list them."""
    content_type = ContentType.objects.get_for_model(obj)
    upload = (
        reverse("admin:files_document_bulk")
        + "?"
        + urlencode(
            {"company": obj.company_id, "linked_type": content_type.pk, "linked_id": obj.pk, "category": category}
        )
    )
    links = format_html('<a href="{}">{}</a>', upload, upload_label or _("Încarcă documente"))
    if listing_label:
        listing = (
            reverse("admin:files_document_changelist")
            + "?"
            + urlencode({"linked_type__id__exact": content_type.pk, "q": ""})
        )
        links = format_html('{} · <a href="{}">{}</a>', links, listing, listing_label)
    return links


def category_rules_help() -> str:
    """Which categories need a right to be seen in the portal, as they are set now (one small query)."""
    rules = [
        _("%(category)s → %(right)s")
        % {"category": rule.get_category_display(), "right": rule.get_required_right_display()}
        for rule in CategoryAccess.objects.exclude(required_right="")
    ]
    if not rules:
        return str(_("Orice membru al companiei vede documentele din orice categorie (vezi „Acces pe categorie”)."))
    return str(
        _(
            "Categoria decide cine vede documentul în portal: %(rules)s; celelalte categorii le vede orice "
            "membru (vezi „Acces pe categorie”)."
        )
        % {"rules": "; ".join(str(rule) for rule in rules)}
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleCheckedFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [single(item, initial) for item in files if item]
        if not cleaned and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        errors = []
        for uploaded in cleaned:
            try:
                validate_upload(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def linkable_types():
    return ContentType.objects.filter(
        pk__in=[ContentType.objects.get_by_natural_key(*key.split(".")).pk for key in LINKABLES]
    )


class LinkFields(forms.Form):
    linked_type = forms.ModelChoiceField(label=_("Legat de (tip)"), queryset=ContentType.objects.none(), required=False)
    linked_id = WholeNumberField(
        label=_("Legat de (id)"),
        required=False,
        min_value=1,
        help_text=_("ID-ul obiectului din administrare (proiect, contract, factură...)."),
    )

    def clean_link(self, company):
        linked_type, linked_id = self.cleaned_data.get("linked_type"), self.cleaned_data.get("linked_id")
        if not linked_type and not linked_id:
            return None
        if not (linked_type and linked_id):
            raise ValidationError(_("Alegeți și tipul, și ID-ul obiectului legat."))
        linked = linked_type.model_class().objects.filter(pk=linked_id).first()
        if linked is None:
            raise ValidationError(_("Nu există obiectul legat ales."))
        if company and getattr(linked, "company_id", None) != company.pk:
            raise ValidationError(_("Obiectul legat aparține altei companii."))
        return linked


class BulkUploadForm(LinkFields):
    company = forms.ModelChoiceField(label=_("Companie"), queryset=Company.objects.all())
    category = forms.ChoiceField(label=_("Categorie"), choices=Document.Category.choices)
    description = forms.CharField(
        label=_("Descriere (pentru toate)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    files = MultipleCheckedFileField(label=_("Fișiere"))

    field_order = ["company", "category", "linked_type", "linked_id", "description", "files"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["linked_type"].queryset = linkable_types()
        self.fields["category"].help_text = category_rules_help()
        self.fields["files"].help_text = (
            str(upload_help()) + " " + str(_("Fiecare fișier devine un document; titlul este numele fișierului."))
        )

    def clean(self):
        data = super().clean()
        try:
            data["linked"] = self.clean_link(data.get("company"))
        except ValidationError as error:
            self.add_error("linked_id", error)
        return data


class DocumentAdminForm(LinkFields, forms.ModelForm):
    new_version = forms.FileField(label=_("Încarcă o versiune nouă"), required=False)
    version_comment = forms.CharField(label=_("Ce s-a schimbat"), required=False, max_length=300)

    class Meta:
        model = Document
        fields = ["company", "title", "category", "description", "linked_type", "linked_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["linked_type"].queryset = linkable_types()
        self.fields["category"].help_text = category_rules_help()
        self.fields["new_version"].help_text = upload_help()

    def clean_new_version(self):
        uploaded = self.cleaned_data.get("new_version")
        if uploaded:
            validate_upload(uploaded)
        return uploaded

    def clean(self):
        data = super().clean()
        try:
            self.clean_link(data.get("company"))
        except ValidationError as error:
            self.add_error("linked_id", error)
        return data


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    fields = ("number", "file", "comment", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    form = DocumentAdminForm
    list_display = (
        "title",
        "company",
        "category",
        "required_right",
        "source",
        "linked_type",
        "current_version",
        "updated_at",
    )
    # Only the kinds of objects documents are linked to, not every content type of the project.
    list_filter = ("source", "category", ("linked_type", admin.RelatedOnlyFieldListFilter), "updated_at")
    search_fields = ("title", "description", "erp_key", "company__name", "company__cui")
    list_select_related = ("company", "current_version", "linked_type")
    autocomplete_fields = ("company",)
    readonly_fields = ("source", "erp_key", "created_by", "created_at", "updated_at")
    inlines = [VersionInline]

    def get_queryset(self, request):
        # The right each row's category needs, in the list's one query.
        rule = CategoryAccess.objects.filter(category=OuterRef("category")).values("required_right")[:1]
        return super().get_queryset(request).annotate(category_right=Subquery(rule))

    @admin.display(description=_("vizibil pentru"), ordering="category_right")
    def required_right(self, obj) -> str:
        right = getattr(obj, "category_right", None) or None
        return str(dict(RequiredRight.choices).get(right, right))

    def get_urls(self):
        bulk = path("incarcare/", self.admin_site.admin_view(self.bulk_upload_view), name="files_document_bulk")
        return [bulk, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # Documents are born with a file: the upload page creates them (one or many at once).
        return redirect("admin:files_document_bulk")

    def bulk_upload_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        initial = {key: request.GET.get(key) for key in ("company", "linked_type", "linked_id", "category")}
        form = BulkUploadForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                for uploaded in data["files"]:
                    services.document_create(
                        company=data["company"],
                        title=uploaded.name.rsplit(".", 1)[0][:200],
                        uploaded=uploaded,
                        user=request.user,
                        category=data["category"],
                        description=data["description"],
                        linked=data["linked"],
                    )
            count = len(data["files"])
            self.message_user(
                request,
                ngettext(
                    "%(count)d document încărcat pentru %(company)s.",
                    "%(count)d documente încărcate pentru %(company)s.",
                    count,
                )
                % {"count": count, "company": data["company"]},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:files_document_changelist") + f"?company__id__exact={data['company'].pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Încarcă documente pentru o companie"),
        }
        return render(request, "admin/files/bulk_upload.html", context)

    def save_model(self, request, obj, form, change):
        obj.linked = form.clean_link(obj.company)
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("new_version"):
            services.document_add_version(
                document=obj,
                uploaded=form.cleaned_data["new_version"],
                user=request.user,
                comment=form.cleaned_data["version_comment"],
            )


@admin.register(CategoryAccess)
class CategoryAccessAdmin(admin.ModelAdmin):
    """Which right a member needs to see a category's documents in the portal (financiar → vede facturi)."""

    list_display = ("category", "required_right")
    list_editable = ("required_right",)
    list_display_links = ("category",)
    fields = ("category", "required_right")


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    list_display = ("original_name", "company", "content_type", "file_size", "uploaded_by", "created_at")
    list_filter = ("content_type", "created_at")
    search_fields = ("original_name", "company__name", "sha256")
    list_select_related = ("company", "uploaded_by")
    readonly_fields = (
        "public_id",
        "company",
        "file",
        "original_name",
        "content_type",
        "file_size",
        "sha256",
        "uploaded_by",
        "created_at",
    )

    @admin.display(description=_("mărime"), ordering="size")
    def file_size(self, obj):
        return format_file_size(obj.size)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
