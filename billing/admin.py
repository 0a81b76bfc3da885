from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from billing import services
from billing.models import (
    AnafStatus,
    Invoice,
    InvoiceArchive,
    InvoiceLine,
    InvoiceReminder,
    ListExport,
    Payment,
    PaymentAllocation,
    PaymentNotice,
    PaymentNoticeInvoice,
    StatementExport,
)
from billing.services.efactura import MAX_ORIGINAL_BYTES
from files.admin import document_links
from files.responses import file_response, safe_filename
from portal.admin_actions import run_for_each, run_service_for_each
from portal.admin_filters import display_status_filter
from portal.forms import NUMBER_FIELD_OVERRIDES
from portal.money import format_money, money_column

# --- invoices -------------------------------------------------------------------------------------


class InvoiceLineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Each line's VAT against the rates in force on the invoice's tax point, as issuing will check it."""
        super().clean()
        if any(self.errors) or self.instance.tax_point is None:
            return
        lines = [form.instance for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        try:
            services.check_lines_vat(lines, tax_point=self.instance.tax_point)
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    formset = InvoiceLineFormSet
    extra = 0
    fields = ("position", *InvoiceLine.ENTERED_FIELDS, "net_amount", "vat_amount")
    readonly_fields = ("net_amount", "vat_amount")

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == Invoice.Status.DRAFT

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj is None else 0

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class InvoiceAllocationInline(admin.TabularInline):
    model = PaymentAllocation
    fk_name = "invoice"
    extra = 0
    fields = ("payment", "amount")
    readonly_fields = ("payment", "amount")
    verbose_name_plural = _("plăți alocate (se modifică din plată)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceAdminForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = (
            "company",
            "kind",
            "series",
            "number",
            "issue_date",
            "due_date",
            "delivery_date",
            "currency",
            "exchange_rate",
            "reverses",
            "contract",
            "project",
            "offer",
            "notes",
        )

    def _post_clean(self):
        super()._post_clean()  # the instance now has the form's values
        try:
            services.clean_invoice_fields(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class EFacturaOriginalsForm(forms.Form):
    """What staff enter from ANAF's SPV when the ERP did not send it: checked like the import and the API.

    Files are read here and never stored as client uploads: ``.xml`` and ``.zip`` stay out of what clients
    may upload."""

    xml = forms.FileField(label=_("XML transmis la ANAF"), required=False)
    signed_zip = forms.FileField(label=_("ZIP semnat ANAF"), required=False)
    upload_index = forms.CharField(label=_("Index de încărcare"), max_length=20, required=False)
    download_id = forms.CharField(label=_("Id descărcare"), max_length=20, required=False)
    status = forms.ChoiceField(label=_("Stare e-Factura"), choices=[("", "—"), *AnafStatus.choices], required=False)
    message = forms.CharField(label=_("Mesajul ANAF"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        for field, extension in (("xml", ".xml"), ("signed_zip", ".zip")):
            uploaded = data.get(field)
            if uploaded and (not uploaded.name.lower().endswith(extension) or uploaded.size > MAX_ORIGINAL_BYTES):
                self.add_error(
                    field, _("Alegeți un fișier %(extension)s de cel mult 10 MB.") % {"extension": extension}
                )
        return data

    def originals(self) -> services.Originals:
        data = self.cleaned_data
        return services.Originals(
            xml=data["xml"].read() if data.get("xml") else None,
            zip=data["signed_zip"].read() if data.get("signed_zip") else None,
            upload_index=data["upload_index"].strip(),
            download_id=data["download_id"].strip(),
            status=data["status"],
            message=data["message"].strip(),
        )


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    form = InvoiceAdminForm
    list_display = (
        "label",
        "company",
        "kind",
        "issue_date",
        "due_date",
        money_column("total_gross", _("total")),
        money_column("balance", _("rest de plată")),
        "status_label",
    )
    list_filter = (
        display_status_filter(Invoice, _("stare (cu scadența)")),
        "kind",
        "currency",
        "anaf_status",
        "series",
    )
    search_fields = ("series", "=number", "company__name", "company__cui", "=anaf_upload_index")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    raw_id_fields = ("contract", "project", "offer", "reverses")
    date_hierarchy = "issue_date"
    readonly_fields = (
        "status",
        "total_net",
        "total_vat",
        "total_gross",
        "credited",
        "amount_paid",
        "balance",
        "issued_at",
        "pdf_link",
        "documents_link",
        "efactura_summary",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "company",
                    ("kind", "series", "number"),
                    ("issue_date", "due_date", "currency"),
                    ("delivery_date", "exchange_rate"),
                    "reverses",
                    ("contract", "project", "offer"),
                    "notes",
                )
            },
        ),
        (
            _("Sume și stare (calculate)"),
            {
                "fields": (
                    ("total_net", "total_vat", "total_gross"),
                    ("credited", "amount_paid", "balance"),
                    "status",
                    "issued_at",
                    "pdf_link",
                    "documents_link",
                )
            },
        ),
        (_("e-Factura"), {"fields": ("efactura_summary",)}),
    )
    inlines = [InvoiceLineInline, InvoiceAllocationInline]
    actions = ["issue", "regenerate_pdf"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Invoice.Status.DRAFT:
            # Issued: the invoice is a fiscal document; it changes only through a credit note.
            editable = [f.name for f in Invoice._meta.fields if f.editable and f.name not in ("id",)]
            return (*editable, *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # An issued invoice is a fiscal document: it is reversed by a credit note, never deleted.
        return (obj is None or obj.status == Invoice.Status.DRAFT) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        for invoice in queryset:
            self.delete_model(request, invoice)

    def delete_model(self, request, obj):
        try:
            services.invoice_delete(invoice=obj)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)

    @admin.display(description=_("număr"), ordering="number")
    def label(self, obj):
        return obj.label

    @admin.display(description=_("stare"))
    def status_label(self, obj):
        return obj.display_status_label

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        if not obj.pk or obj.status == Invoice.Status.DRAFT:
            return _("Se generează la emitere.")
        url = reverse("admin:billing_invoice_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Descarcă PDF") if obj.pdf_id else _("Generează și descarcă"))

    @admin.display(description=_("documente legate"))
    def documents_link(self, obj):
        if not obj.pk:
            return "—"
        return document_links(obj, category="financiar", upload_label=_("Atașează documente (aviz, proces-verbal...)"))

    @admin.display(description=_("e-Factura"))
    def efactura_summary(self, obj):
        if not obj.pk or obj.status == Invoice.Status.DRAFT:
            return _("XML-ul se generează la emitere.")
        status = obj.get_anaf_status_display() or _("netransmisă de ERP")
        original = (
            _("XML original ANAF: da")
            if obj.anaf_xml_id
            else _("XML original ANAF: nu (clientul primește XML-ul portalului)")
        )
        signed = _("ZIP semnat: da") if obj.anaf_zip_id else _("ZIP semnat: nu")
        url = reverse("admin:billing_invoice_efactura", args=[obj.pk])
        return format_html(
            '{} · {} {} · {} · {}<br>{}<br><a href="{}">{}</a>',
            status,
            _("index"),
            obj.anaf_upload_index or "—",
            original,
            signed,
            obj.anaf_message,
            url,
            _("Adaugă originalele sau starea ANAF"),
        )

    def get_urls(self):
        pdf = path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_invoice_pdf")
        efactura = path(
            "<int:pk>/efactura/", self.admin_site.admin_view(self.efactura_view), name="billing_invoice_efactura"
        )
        return [pdf, efactura, *super().get_urls()]

    def efactura_view(self, request, pk):
        invoice = get_object_or_404(Invoice.objects.select_related("company"), pk=pk)
        if not self.has_change_permission(request, invoice):
            return redirect("admin:index")
        form = EFacturaOriginalsForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                changed = services.invoice_attach_originals(
                    invoice=invoice, originals=form.originals(), by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                done = (
                    _("Datele e-Factura au fost salvate.")
                    if changed
                    else _("Nimic nou: factura avea deja aceste date.")
                )
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:billing_invoice_change", invoice.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "original": invoice,
            "title": _("e-Factura pentru %(invoice)s") % {"invoice": invoice},
        }
        return render(request, "admin/billing/invoice_efactura.html", context, status=400 if form.errors else 200)

    def pdf_view(self, request, pk):
        invoice = get_object_or_404(Invoice.objects.select_related("pdf"), pk=pk)
        stored = invoice.pdf or services.invoice_render_pdf(invoice_id=invoice.pk)
        if stored is None:
            raise ValidationError(_("O ciornă nu are PDF."))
        return file_response(stored, filename=services.invoice_pdf_name(invoice))

    def save_model(self, request, obj, form, change):
        if change and obj.status != Invoice.Status.DRAFT:
            return  # nothing of an issued invoice is editable here
        services.invoice_save(invoice=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not InvoiceLine:
            return super().save_formset(request, form, formset, change)
        lines = formset.save(commit=False)
        services.invoice_save_lines(invoice=form.instance, lines=lines, deleted=formset.deleted_objects)

    @admin.action(description=_("Emite facturile selectate (devin vizibile clientului, cu PDF)"))
    def issue(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.invoice_issue,
            argument="invoice",
            message=lambda n: ngettext("%d factură emisă.", "%d facturi emise.", n) % n,
        )

    @admin.action(description=_("Regenerează PDF-ul facturilor selectate"))
    def regenerate_pdf(self, request, queryset):
        def regenerate(invoice):
            if services.invoice_render_pdf(invoice_id=invoice.pk, force=True) is None:
                raise ValidationError(_("O ciornă nu are PDF; emiteți-o întâi."))

        run_for_each(
            self,
            request,
            queryset,
            regenerate,
            lambda n: ngettext("PDF regenerat pentru %d factură.", "PDF regenerat pentru %d facturi.", n) % n,
        )


# --- payments -------------------------------------------------------------------------------------


class AllocationFormSet(forms.BaseInlineFormSet):
    def rows(self):
        return [
            (form.cleaned_data["invoice"], form.cleaned_data["amount"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("invoice")
            and form.cleaned_data.get("amount") is not None
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        payment = self.instance
        if payment.company_id is None or payment.amount is None:
            return
        try:
            services.validate_allocations(payment=payment, rows=self.rows())
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class PaymentAllocationInline(admin.TabularInline):
    model = PaymentAllocation
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    fk_name = "payment"
    formset = AllocationFormSet
    extra = 1
    fields = ("invoice", "amount")
    autocomplete_fields = ("invoice",)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    list_display = (
        "date",
        "company",
        money_column("amount", _("sumă")),
        "method",
        "reference",
        money_column("allocated", _("alocat")),
        "credit",
    )
    list_filter = ("method", "currency")
    search_fields = ("reference", "company__name", "company__cui")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    date_hierarchy = "date"
    readonly_fields = ("allocated", "created_by", "created_at")
    fields = (
        "company",
        ("date", "amount", "currency"),
        ("method", "reference"),
        "notes",
        "allocated",
        "created_by",
        "created_at",
    )
    inlines = [PaymentAllocationInline]

    @admin.display(description=_("nealocat (avans)"))
    def credit(self, obj):
        return format_money(obj.unallocated, obj.currency)

    def save_model(self, request, obj, form, change):
        services.payment_save(payment=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not PaymentAllocation:
            return super().save_formset(request, form, formset, change)
        services.payment_set_allocations(payment=form.instance, rows=formset.rows(), by=request.user)

    def construct_change_message(self, request, form, formsets, add=False):
        # The allocations were written by the service (its audit entry lists them), not saved by their formset.
        formsets = [formset for formset in formsets if formset.model is not PaymentAllocation]
        return super().construct_change_message(request, form, formsets, add)

    def delete_model(self, request, obj):
        services.payment_delete(payment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for payment in queryset:
            services.payment_delete(payment=payment, by=request.user)


# --- payments announced by clients ----------------------------------------------------------------


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivul respingerii (îl primește clientul)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        initial=_("Plata nu apare încă în extrasul nostru de cont."),
    )


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "company",
        "announced_by",
        money_column("amount", _("sumă")),
        "paid_on",
        "reference",
        "invoices_column",
        "status",
        "proof_link",
    )
    list_filter = ("status", "currency", ("company", admin.RelatedOnlyFieldListFilter))
    search_fields = ("reference", "company__name", "company__cui", "announced_by__email")
    list_select_related = ("company", "announced_by", "proof")
    date_hierarchy = "created_at"
    fields = (
        "company",
        "announced_by",
        ("amount", "currency", "paid_on"),
        "reference",
        "message",
        "named_invoices",
        "proof_link",
        "status",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "payment",
        "settled_by",
        "created_at",
    )
    readonly_fields = (
        "company",
        "announced_by",
        "amount",
        "currency",
        "paid_on",
        "reference",
        "message",
        "named_invoices",
        "proof_link",
        "status",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "payment",
        "settled_by",
        "created_at",
    )
    actions = ["confirm", "reject"]

    def get_queryset(self, request):
        links = PaymentNoticeInvoice.objects.select_related("invoice").order_by("invoice__due_date", "invoice_id")
        return super().get_queryset(request).prefetch_related(Prefetch("invoice_links", queryset=links))

    @admin.display(description=_("facturi"))
    def invoices_column(self, obj):
        # From the prefetch: one query for the whole page, however many notices and invoices.
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:billing_invoice_change", args=[link.invoice_id]), link.invoice.label)
                    for link in obj.invoice_links.all()
                ),
            )
            or "—"
        )

    def has_add_permission(self, request):
        return False  # clients announce payments in the portal

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("facturile indicate de client"))
    def named_invoices(self, obj):
        links = obj.invoice_links.select_related("invoice").order_by("invoice__due_date")
        if not links:
            return _("niciuna (plata rămâne avans)")
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("admin:billing_invoice_change", args=[link.invoice_id]),
                    link.invoice,
                    format_money(link.invoice.balance, link.invoice.currency),
                )
                for link in links
            ),
        )

    @admin.display(description=_("dovada plății"))
    def proof_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:billing_paymentnotice_proof", args=[obj.pk]), obj.proof.original_name
        )

    def get_urls(self):
        proof = path(
            "<int:pk>/dovada/", self.admin_site.admin_view(self.proof_view), name="billing_paymentnotice_proof"
        )
        return [proof, *super().get_urls()]

    def proof_view(self, request, pk):
        notice = get_object_or_404(PaymentNotice.objects.select_related("proof"), pk=pk)
        stored = notice.proof
        return file_response(
            stored,
            filename=safe_filename(f"Dovada plata {notice.reference}", stored.extension),
            inline=stored.can_preview,
        )

    @admin.action(description=_("Confirmă plățile selectate (se înregistrează și se alocă pe facturi)"))
    def confirm(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset.select_related("company"),
            services.notice_confirm,
            argument="notice",
            message=lambda n: (
                ngettext("%d plată confirmată și înregistrată.", "%d plăți confirmate și înregistrate.", n) % n
            ),
        )

    @admin.action(description=_("Respinge plățile selectate…"))
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_for_each(
                self,
                request,
                queryset.select_related("company"),
                lambda notice: services.notice_reject(notice=notice, by=request.user, reason=reason),
                lambda n: ngettext("%d plată anunțată respinsă.", "%d plăți anunțate respinse.", n) % n,
            )
            return None
        return render(
            request,
            "billing/admin/reject_notices.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Respinge plățile anunțate"),
                "form": form,
                "notices": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(InvoiceReminder)
class InvoiceReminderAdmin(admin.ModelAdmin):
    list_display = ("invoice", "stage", "due_date", "created_at")
    list_filter = ("stage",)
    search_fields = ("invoice__series", "=invoice__number", "invoice__company__name")
    list_select_related = ("invoice",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InvoiceArchive)
class InvoiceArchiveAdmin(admin.ModelAdmin):
    """The archives clients asked for: to see that they were built (they are made by a task)."""

    list_display = ("created_at", "company", "requested_by", "invoice_count", "status", "finished_at")
    list_filter = ("status",)
    search_fields = ("company__name", "company__cui", "requested_by__email")
    list_select_related = ("company", "requested_by")
    readonly_fields = [f.name for f in InvoiceArchive._meta.fields] + ["invoice_count"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BuiltExportAdmin(admin.ModelAdmin):
    """Files clients asked for, built by a task and deleted after ``RETENTION_EXPORT_DAYS``: read only."""

    search_fields = ("company__name", "company__cui", "requested_by__email")
    list_select_related = ("company", "requested_by")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StatementExport)
class StatementExportAdmin(BuiltExportAdmin):
    """Statements of account clients asked for as PDF or CSV."""

    list_display = ("created_at", "company", "requested_by", "date_from", "date_to", "currency", "format", "status")
    list_filter = ("status", "format", "currency")


@admin.register(ListExport)
class ListExportAdmin(BuiltExportAdmin):
    """Invoice and payment lists clients asked for as XLSX, or as a CSV too long for the request."""

    list_display = ("created_at", "company", "requested_by", "kind", "format", "status", "expires_at")
    list_filter = ("status", "kind", "format")
