from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from files.admin import document_links
from files.responses import file_response, safe_filename
from portal.admin_actions import run_service_for_each
from portal.admin_filters import display_status_filter
from portal.forms import NUMBER_FIELD_OVERRIDES, WholeNumberField
from portal.money import format_file_size, format_money, money_column
from portal.pdf import render_pdf
from quotes import conf, selectors, services
from quotes.models import DeliveryAddress, Offer, OfferLine, Product, QuoteRequest, QuoteRequestLine


def _report(modeladmin, request, obj, error: ValidationError) -> None:
    modeladmin.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "active", "updated_at")
    list_filter = ("active", "unit")
    search_fields = ("code", "name", "description")
    list_editable = ("active",)
    ordering = ("name",)

    def save_model(self, request, obj, form, change):
        obj.code = obj.code.strip().upper()
        super().save_model(request, obj, form, change)


@admin.register(DeliveryAddress)
class DeliveryAddressAdmin(admin.ModelAdmin):
    list_display = ("label", "company", "address", "city", "county", "contact_name", "created_at")
    list_filter = ("county",)
    search_fields = ("label", "address", "city", "company__name", "company__cui")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    readonly_fields = ("created_by", "created_at")


# --- quote requests ---------------------------------------------------------------------------------------


class AwaitingOfferFilter(admin.SimpleListFilter):
    """The work queue's "cereri fără ofertă": the same rows as its count."""

    title = _("ofertă")
    parameter_name = "oferta"

    def lookups(self, request, model_admin):
        return [("fara", _("fără ofertă (cereri deschise)"))]

    def queryset(self, request, queryset):
        return selectors.requests_awaiting_offer(queryset) if self.value() == "fara" else queryset


class QuoteRequestLineInline(admin.TabularInline):
    model = QuoteRequestLine
    extra = 0
    can_delete = False
    fields = ("position", "product", "description", "quantity", "unit", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OfferOfRequestInline(admin.TabularInline):
    model = Offer
    fk_name = "request"
    extra = 0
    can_delete = False
    verbose_name_plural = _("oferte pentru această cerere")
    fields = ("offer_link", "revision", "status", "total", "valid_until", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ofertă"))
    def offer_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:quotes_offer_change", args=[obj.pk]), obj.number)

    @admin.display(description=_("total cu TVA"))
    def total(self, obj):
        return format_money(obj.total_gross, obj.currency)


@admin.register(QuoteRequest)
class QuoteRequestAdmin(admin.ModelAdmin):
    view_on_site = False  # the client's page; staff have no membership there
    list_display = (
        "number",
        "company",
        "created_by",
        "status",
        "delivery_option",
        "desired_date",
        "line_count",
        "created_at",
    )
    list_filter = (
        "status",
        AwaitingOfferFilter,
        "delivery_option",
        ("origin_offer", admin.EmptyFieldListFilter),
        ("origin_contract", admin.EmptyFieldListFilter),
        "created_at",
    )
    search_fields = (
        "number",
        "company__name",
        "company__cui",
        "lines__description",
        "remarks",
        "origin_offer__number",
        "origin_contract__number",
    )
    list_select_related = ("company", "created_by")
    date_hierarchy = "created_at"
    fields = (
        "number",
        "company",
        "status",
        "origin_link",
        "created_by",
        "created_at",
        "delivery_option",
        "delivery_address",
        "desired_date",
        "remarks",
        "attachment_links",
        "cancelled_at",
        "cancelled_by",
    )
    readonly_fields = fields
    inlines = [QuoteRequestLineInline, OfferOfRequestInline]
    actions = ["create_offer", "mark_in_review", "close"]

    def has_add_permission(self, request):
        return False  # clients send requests from the portal

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lines_total=Count("lines"))

    @admin.display(description=_("rânduri"), ordering="lines_total")
    def line_count(self, obj):
        return obj.lines_total

    @admin.display(description=_("urmare a"))
    def origin_link(self, obj):
        if obj.origin_offer_id:
            url = reverse("admin:quotes_offer_change", args=[obj.origin_offer_id])
            return format_html('{} <a href="{}">{}</a>', _("ofertă nouă în locul ofertei"), url, obj.origin_offer)
        if obj.origin_contract_id:
            url = reverse("admin:contracts_contract_change", args=[obj.origin_contract_id])
            return format_html('{} <a href="{}">{}</a>', _("reînnoirea contractului"), url, obj.origin_contract)
        return "—"

    @admin.display(description=_("atașamente"))
    def attachment_links(self, obj):
        files = list(obj.attachments.all())
        if not files:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("admin:quotes_quoterequest_attachment", args=[obj.pk, f.pk]),
                    f.original_name,
                    format_file_size(f.size),
                )
                for f in files
            ),
        )

    def get_urls(self):
        attachment = path(
            "<int:pk>/atasament/<int:file_pk>/",
            self.admin_site.admin_view(self.attachment_view),
            name="quotes_quoterequest_attachment",
        )
        return [attachment, *super().get_urls()]

    def attachment_view(self, request, pk, file_pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        quote_request = get_object_or_404(QuoteRequest, pk=pk)
        stored = get_object_or_404(quote_request.attachments.all(), pk=file_pk)
        return file_response(stored, filename=safe_filename(stored.original_name.rsplit(".", 1)[0], stored.extension))

    @staticmethod
    def _offer_can_be_created(quote_request: QuoteRequest) -> bool:
        """The page's button: a request nobody has offered yet and the client has not cancelled."""
        return quote_request.status != QuoteRequest.Status.CANCELLED and not quote_request.offers.exists()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        quote_request = self.get_object(request, object_id)
        buttons = []
        if quote_request is not None and self._offer_can_be_created(quote_request):
            buttons.append(("_create_offer", _("Creează ofertă")))
        extra_context = {**(extra_context or {}), "quote_actions": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        if "_create_offer" in request.POST:
            if not self._offer_can_be_created(obj):  # a page left open while a colleague made the offer
                self.message_user(request, _("Cererea are deja o ofertă sau a fost anulată."), messages.ERROR)
                return redirect(request.path)
            try:
                offer = services.offer_create(company=obj.company, by=request.user, quote_request=obj)
            except ValidationError as error:
                _report(self, request, obj, error)
                return redirect(request.path)
            self.message_user(
                request,
                _(
                    "Ciorna ofertei %(number)s a fost creată cu rândurile cererii. "
                    "Completați prețurile, apoi trimiteți-o clientului."
                )
                % {"number": offer.number},
                messages.SUCCESS,
            )
            return redirect("admin:quotes_offer_change", offer.pk)
        return super().response_change(request, obj)

    @admin.action(description=_("Creează câte o ofertă (ciornă) din cererile selectate"))
    def create_offer(self, request, queryset):
        created = []
        for quote_request in queryset.select_related("company"):
            try:
                created.append(
                    services.offer_create(company=quote_request.company, by=request.user, quote_request=quote_request)
                )
            except ValidationError as error:
                _report(self, request, quote_request, error)
        if len(created) == 1:
            self.message_user(
                request,
                _("Ciorna ofertei %(number)s a fost creată. Completați prețurile, apoi trimiteți-o clientului.")
                % {"number": created[0].number},
                messages.SUCCESS,
            )
            return redirect("admin:quotes_offer_change", created[0].pk)
        if created:
            self.message_user(
                request,
                ngettext("%d ofertă creată.", "%d oferte create.", len(created)) % len(created),
                messages.SUCCESS,
            )
        return None

    @admin.action(description=_("Marchează cererile selectate „în analiză”"))
    def mark_in_review(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.request_mark_in_review,
            argument="quote_request",
            message=lambda n: ngettext("%d cerere în analiză.", "%d cereri în analiză.", n) % n,
        )

    @admin.action(description=_("Închide cererile selectate"))
    def close(self, request, queryset):
        run_service_for_each(
            self,
            request,
            queryset,
            services.request_close,
            argument="quote_request",
            message=lambda n: ngettext("%d cerere închisă.", "%d cereri închise.", n) % n,
        )


# --- offers -----------------------------------------------------------------------------------------------


class OfferLineForm(forms.ModelForm):
    position = WholeNumberField(
        label=_("nr."),
        required=False,
        min_value=0,
        help_text=_("Gol: la sfârșit."),
        widget=forms.NumberInput(attrs={"style": "width: 3.5em"}),
    )

    class Meta:
        model = OfferLine
        fields = [
            "position",
            "product",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "vat_rate",
        ]
        widgets = {
            "description": forms.TextInput(attrs={"style": "width: 16em"}),
            "quantity": forms.NumberInput(attrs={"style": "width: 6em", "step": "any"}),
            "unit": forms.TextInput(attrs={"style": "width: 4em"}),
            "unit_price": forms.NumberInput(attrs={"style": "width: 7em", "step": "0.01"}),
            "discount_percent": forms.NumberInput(attrs={"style": "width: 4.5em", "step": "0.01"}),
        }

    def clean_position(self):
        return self.cleaned_data.get("position") or 0


class OfferLineInline(admin.TabularInline):
    model = OfferLine
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    form = OfferLineForm
    extra = 0
    fields = (
        "position",
        "product",
        "description",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "vat_rate",
        "net_amount",
    )
    readonly_fields = ("net_amount",)
    autocomplete_fields = ("product",)

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == Offer.Status.DRAFT

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields if not self._editable(obj) else self.readonly_fields

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    @admin.display(description=_("valoare fără TVA"))
    def net_amount(self, obj):
        if obj.pk is None or obj.unit_price is None or obj.quantity is None:
            return "—"
        return f"{obj.amounts.net:.2f}"


class OfferAdminForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = [
            "company",
            "request",
            "currency",
            "valid_until",
            "payment_terms",
            "delivery_terms",
            "notes",
            "revision_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "valid_until" in self.fields and not self.instance.pk:
            self.fields["valid_until"].initial = timezone.localdate() + timezone.timedelta(
                days=conf.offer_validity_days()
            )

    def clean(self):
        data = super().clean()
        quote_request = data.get("request")
        company = data.get("company") or (self.instance.company if self.instance.company_id else None)
        if quote_request and company and quote_request.company_id != company.pk:
            self.add_error("request", _("Cererea aparține altei companii."))
        valid_until = data.get("valid_until")
        if valid_until and valid_until < timezone.localdate() and self.instance.status == Offer.Status.DRAFT:
            self.add_error("valid_until", _("Data de valabilitate este în trecut."))
        return data


class ExpiringSoonFilter(admin.SimpleListFilter):
    """The work queue's "oferte care expiră curând": the same rows as its count."""

    title = _("valabilitate")
    parameter_name = "valabilitate"

    def lookups(self, request, model_admin):
        days = conf.offer_expiry_warning_days()
        return [("expira_curand", _("trimise, expiră în cel mult %(days)d zile") % {"days": days})]

    def queryset(self, request, queryset):
        return selectors.offers_expiring_soon(queryset) if self.value() == "expira_curand" else queryset


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    form = OfferAdminForm
    view_on_site = False
    list_display = (
        "number",
        "revision",
        "company",
        "status_label",
        money_column("total_gross", _("total cu TVA")),
        "valid_until",
        "sent_at",
        "decided_by",
        "decided_at",
    )
    list_filter = (
        display_status_filter(Offer, _("stare (pentru client)")),
        ExpiringSoonFilter,
        "status",
        "currency",
        "is_current",
        "sent_at",
    )
    search_fields = (
        "number",
        "company__name",
        "company__cui",
        "request__number",
        "lines__description",
        "po_number",
    )
    list_select_related = ("company", "decided_by")
    autocomplete_fields = ("company", "request")
    date_hierarchy = "created_at"
    inlines = [OfferLineInline]
    actions = ["send", "new_revision", "withdraw"]
    DECISION_FIELDS = (
        "status",
        "is_current",
        "decided_by",
        "decided_at",
        "decided_ip",
        "decided_total_gross",
        "rejection_reason",
        "po_number",
        "acceptance_note",
        "confirmation_link",
        "follow_up_links",
    )

    def get_fieldsets(self, request, obj=None):
        main = ("company", "request", ("currency", "valid_until"), "payment_terms", "delivery_terms", "notes")
        if obj is None:
            return ((None, {"fields": main}),)
        decision = ((_("Trimitere și decizie"), {"fields": (("sent_at", "sent_by"), *self.DECISION_FIELDS)}),)
        return (
            (None, {"fields": (("number", "revision"), "revision_note", *main)}),
            (
                _("Totaluri"),
                {"fields": (("total_net", "total_vat", "total_gross"), "pdf_link", "history", "documents_link")},
            ),
            *(decision if obj.status != Offer.Status.DRAFT else ()),
        )

    def get_readonly_fields(self, request, obj=None):
        computed = (
            "number",
            "revision",
            "total_net",
            "total_vat",
            "total_gross",
            "pdf_link",
            "sent_at",
            "sent_by",
            *self.DECISION_FIELDS,
            "history",
            "documents_link",
        )
        if obj is not None and obj.status != Offer.Status.DRAFT:
            return (
                *computed,
                "company",
                "request",
                "currency",
                "valid_until",
                "payment_terms",
                "delivery_terms",
                "notes",
                "revision_note",
            )
        if obj is not None:
            return (*computed, "company")
        return computed

    def has_delete_permission(self, request, obj=None):
        # What the client has seen stays on record: only drafts can be deleted.
        if obj is not None and obj.status != Offer.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # would delete sent offers in bulk
        return actions

    @admin.display(description=_("stare"), ordering="status")
    def status_label(self, obj):
        return obj.display_status_label

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        label = _("Previzualizează PDF (ciornă)") if obj.status == Offer.Status.DRAFT else _("Descarcă PDF")
        return format_html('<a href="{}">{}</a>', reverse("admin:quotes_offer_pdf", args=[obj.pk]), label)

    @admin.display(description=_("confirmare de comandă"))
    def confirmation_link(self, obj):
        if obj.status != Offer.Status.ACCEPTED:
            return "—"
        url = reverse("admin:quotes_offer_confirmation", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Descarcă confirmarea de comandă (PDF)"))

    @admin.display(description=_("cereri de ofertă nouă"))
    def follow_up_links(self, obj):
        requests = obj.follow_up_requests.order_by("-created_at")
        if not requests:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> — {}',
            (
                (reverse("admin:quotes_quoterequest_change", args=[r.pk]), r.number, r.get_status_display())
                for r in requests
            ),
        )

    @admin.display(description=_("revizii"))
    def history(self, obj):
        revisions = Offer.objects.filter(number=obj.number).order_by("revision")
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">rev. {}</a> — {}',
            (
                (reverse("admin:quotes_offer_change", args=[r.pk]), r.revision, r.display_status_label)
                for r in revisions
            ),
        )

    @admin.display(description=_("documente"))
    def documents_link(self, obj):
        return document_links(
            obj, category="comercial", upload_label=_("Atașează documente (fișe tehnice...) la ofertă")
        )

    def get_urls(self):
        pdf = path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="quotes_offer_pdf")
        confirmation = path(
            "<int:pk>/confirmare-comanda/",
            self.admin_site.admin_view(self.confirmation_view),
            name="quotes_offer_confirmation",
        )
        return [pdf, confirmation, *super().get_urls()]

    def confirmation_view(self, request, pk):
        """The order confirmation of an accepted offer; rendered here if the task has not kept it yet."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        offer = get_object_or_404(Offer, pk=pk, status=Offer.Status.ACCEPTED)
        stored = services.order_confirmation_render(offer_id=offer.pk)
        return file_response(stored, filename=services.order_confirmation_name(offer), inline=True)

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        offer = get_object_or_404(Offer.objects.select_related("pdf"), pk=pk)
        if offer.status == Offer.Status.DRAFT:
            # A preview: rendered each time, never stored or shown to the client.
            with translation.override("ro"):
                content = render_pdf(
                    "pdf/quotes_offer.html", selectors.offer_pdf_context(selectors.offer_for_pdf(pk=offer.pk))
                )
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{services.offer_pdf_name(offer)}"'
            return response
        stored = offer.pdf or services.offer_render_pdf(offer=offer)
        return file_response(stored, filename=services.offer_pdf_name(offer), inline=True)

    def save_model(self, request, obj, form, change):
        if not change:
            services.offer_assign_number(offer=obj)
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.offer_recalculate(offer=form.instance)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        offer = self.get_object(request, object_id)
        buttons = []
        if offer is not None and offer.status == Offer.Status.DRAFT:
            buttons.append(("_send", _("Salvează și trimite clientului")))
        elif offer is not None and offer.is_current and offer.status != Offer.Status.ACCEPTED:
            buttons.append(("_new_revision", _("Creează o revizie nouă")))
            if offer.status == Offer.Status.SENT:
                buttons.append(("_withdraw", _("Retrage oferta")))
        extra_context = {**(extra_context or {}), "quote_actions": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        for name, service, message in (
            ("_send", services.offer_send, _("Oferta %(offer)s a fost trimisă clientului.")),
            (
                "_new_revision",
                services.offer_new_revision,
                _("Revizia %(offer)s a fost creată ca ciornă. Modificați-o, apoi trimiteți-o."),
            ),
            ("_withdraw", services.offer_withdraw, _("Oferta %(offer)s a fost retrasă.")),
        ):
            if name in request.POST:
                try:
                    result = service(offer=obj, by=request.user)
                except ValidationError as error:
                    _report(self, request, obj, error)
                    return redirect(request.path)
                self.message_user(request, message % {"offer": result}, messages.SUCCESS)
                return redirect("admin:quotes_offer_change", result.pk)
        return super().response_change(request, obj)

    def _run(self, request, queryset, service, message):
        return run_service_for_each(
            self, request, queryset.order_by("number", "revision"), service, argument="offer", message=message
        )

    @admin.action(description=_("Trimite clientului ofertele selectate (ciorne)"))
    def send(self, request, queryset):
        self._run(
            request,
            queryset,
            services.offer_send,
            lambda n: ngettext("%d ofertă trimisă.", "%d oferte trimise.", n) % n,
        )

    @admin.action(description=_("Creează câte o revizie nouă (ciornă) a ofertelor selectate"))
    def new_revision(self, request, queryset):
        done = self._run(
            request,
            queryset,
            services.offer_new_revision,
            lambda n: ngettext("%d revizie creată.", "%d revizii create.", n) % n,
        )
        if len(done) == 1:
            return redirect("admin:quotes_offer_change", done[0].pk)
        return None

    @admin.action(description=_("Retrage ofertele selectate"))
    def withdraw(self, request, queryset):
        self._run(
            request,
            queryset,
            services.offer_withdraw,
            lambda n: ngettext("%d ofertă retrasă.", "%d oferte retrase.", n) % n,
        )
