import json
import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations import keys, services, webhooks
from integrations.models import SCOPE_CHOICES, Integration, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal.events import EVENTS


class IntegrationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("drepturi"), choices=SCOPE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Integration
        fields = ("name", "scopes", "allowed_networks")

    def clean_allowed_networks(self):
        value = self.cleaned_data["allowed_networks"]
        keys.parse_networks(value)
        return value.strip()


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """Staff create the ERP's key here: it is shown once, in the message after saving, and kept hashed."""

    form = IntegrationForm
    list_display = ("name", "key_prefix", "scope_list", "active", "last_used_at", "last_used_ip", "created_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "revoked_at", "last_used_at", "last_used_ip", "created_by", "created_at")
    actions = ["revoke", "rotate_key"]

    @admin.display(description=_("drepturi"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes) or "—"

    @admin.display(description=_("activă"), boolean=True)
    def active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        integration, key = services.integration_create(
            name=obj.name,
            scopes=form.cleaned_data["scopes"],
            allowed_networks=obj.allowed_networks,
            by=request.user,
        )
        obj.pk, obj.key_prefix = integration.pk, integration.key_prefix
        self._show_key(request, integration, key)

    def _show_key(self, request, integration, key):
        self.message_user(
            request,
            format_html(
                "{} <code>{}</code>",
                _("Cheia integrării „%(name)s” (copiați-o acum: nu mai este afișată):") % {"name": integration.name},
                key,
            ),
            messages.WARNING,
        )

    @admin.action(description=_("Revocă cheile integrărilor selectate"))
    def revoke(self, request, queryset):
        for integration in queryset:
            services.integration_revoke(integration=integration, by=request.user)
        count = queryset.count()
        self.message_user(request, ngettext("%d integrare revocată.", "%d integrări revocate.", count) % count)

    @admin.action(description=_("Generează o cheie nouă (cea veche nu mai funcționează)"))
    def rotate_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Alegeți o singură integrare."), messages.ERROR)
            return
        integration = queryset.get()
        try:
            key = services.integration_rotate_key(integration=integration, by=request.user)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return
        self._show_key(request, integration, key)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("adresă"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Adresa http:// sau https:// a ERP-ului care primește evenimentele, semnate."),
    )
    events = forms.MultipleChoiceField(
        label=_("evenimente"), choices=[(name, name) for name in EVENTS], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("integration", "url", "events", "is_active")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("url") and cleaned.get("events"):
            try:
                webhooks.clean_endpoint(cleaned["url"], cleaned["events"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """The ERP's URLs and the events each hears; the signing secret is shown once, after saving or rotating."""

    form = WebhookEndpointForm
    list_display = ("url", "integration", "event_list", "is_active", "created_at")
    list_filter = ("is_active", "integration")
    list_select_related = ("integration",)
    search_fields = ("url", "integration__name")
    readonly_fields = ("created_at",)
    actions = ["rotate_secret"]

    @admin.display(description=_("evenimente"))
    def event_list(self, obj):
        return ", ".join(obj.events) or "—"

    def get_readonly_fields(self, request, obj=None):
        return ("integration", *self.readonly_fields) if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            webhooks.webhook_endpoint_update(
                endpoint=obj, url=data["url"], events=data["events"], is_active=data["is_active"], by=request.user
            )
            return
        endpoint, secret = webhooks.webhook_endpoint_create(
            integration=data["integration"],
            url=data["url"],
            events=data["events"],
            is_active=data["is_active"],
            by=request.user,
        )
        obj.pk, obj.public_id, obj.secret = endpoint.pk, endpoint.public_id, endpoint.secret
        self._show_secret(request, endpoint, secret)

    def _show_secret(self, request, endpoint, secret):
        self.message_user(
            request,
            format_html(
                "{} <code>{}</code>",
                _("Secretul de semnare pentru %(url)s (copiați-l acum: nu mai este afișat):") % {"url": endpoint.url},
                secret,
            ),
            messages.WARNING,
        )

    @admin.action(description=_("Generează un secret de semnare nou (cel vechi nu mai este folosit)"))
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Alegeți un singur webhook."), messages.ERROR)
            return
        endpoint = queryset.get()
        secret = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint, by=request.user)
        self._show_secret(request, endpoint, secret)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("at", "status_code", "response", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent, each try and the ERP's answer; "Retrimite" sends one again."""

    list_display = ("event", "endpoint", "integration", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("status", "event", "endpoint__integration")
    list_select_related = ("endpoint__integration",)
    search_fields = ("event_id",)
    search_help_text = _("Căutați după id-ul evenimentului.")
    fields = (
        "endpoint",
        "event",
        "event_id",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "payload_pretty",
    )
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    @admin.display(description=_("integrare"), ordering="endpoint__integration__name")
    def integration(self, obj):
        return obj.endpoint.integration

    @admin.display(description=_("conținut"))
    def payload_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

    def get_search_results(self, request, queryset, search_term):
        # The id is a UUID: an exact match, and a term that is not one finds nothing (not an error).
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(event_id=uuid.UUID(term)), False
        except ValueError:
            return queryset.none(), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request):
        return request.user.has_perm("integrations.change_webhookendpoint")

    @admin.action(description=_("Retrimite"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        for delivery in queryset:
            webhooks.redeliver(delivery=delivery, by=request.user)
        count = queryset.count()
        self.message_user(
            request, ngettext("%d livrare retrimisă.", "%d livrări retrimise.", count) % count, messages.SUCCESS
        )
