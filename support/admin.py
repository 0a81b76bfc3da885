"""The support queue for supplier staff: filters, the conversation, replies and internal notes, actions.

Everything that changes a ticket goes through ``support.services`` (emails, status machine, audit);
the change form saves only the subject and category directly.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from files.responses import file_response, safe_filename
from support import services
from support.forms import AttachmentsField, attachments_help
from support.models import Attachment, Message, StatusChange, Ticket


def attachment_links(attachments) -> str:
    return (
        format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            ((reverse("admin:support_attachment_download", args=[a.pk]), a.file.original_name) for a in attachments),
        )
        or "—"
    )


class BreachedFilter(admin.SimpleListFilter):
    title = _("termene (SLA)")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("depasit", _("depășit")),
            ("raspuns", _("răspuns depășit")),
            ("rezolvare", _("rezolvare depășită")),
            ("in_termen", _("în termen")),
            ("aproape", _("de rezolvat acum (depășit sau aproape)")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "depasit":
            return queryset.filter(breached=True)
        if value == "raspuns":
            return queryset.filter(late_response=True)
        if value == "rezolvare":
            return queryset.filter(late_resolution=True)
        if value == "in_termen":
            return queryset.filter(breached=False)
        if value == "aproape":
            return queryset.near_deadline()
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("responsabil")
    parameter_name = "responsabil"

    def lookups(self, request, model_admin):
        staff = User.objects.filter(is_staff=True, assigned_tickets__isnull=False).distinct()
        return [("eu", _("ale mele")), ("niciunul", _("neatribuite")), *[(str(user.pk), str(user)) for user in staff]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "eu":
            return queryset.filter(assigned_to=request.user)
        if value == "niciunul":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


class MessageHistoryInline(admin.TabularInline):
    """The whole conversation as staff see it, internal notes included (highlighted)."""

    model = Message
    verbose_name = _("mesaj")
    verbose_name_plural = _("conversația (notele interne sunt evidențiate)")
    extra = 0
    can_delete = False
    fields = ("who", "text", "files")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "ticket")
            .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.select_related("file")))
            .order_by("created_at", "id")
        )

    @admin.display(description=_("autor"))
    def who(self, obj):
        if obj.is_internal:
            return format_html('{} <strong style="color:#8a5300">[{}]</strong>', obj.author or "—", _("notă internă"))
        if obj.erp_key:
            return format_html("{} <small>({} · {})</small>", obj.author_name or "—", _("ERP"), obj.erp_key)
        return format_html("{} <small>({})</small>", obj.author or "—", _("suport") if obj.from_staff else _("client"))

    @admin.display(description=_("mesaj"))
    def text(self, obj):
        style = "background:#fff3cd;padding:4px 8px" if obj.is_internal else ""
        # linebreaksbr escapes the user's text before adding <br>.
        return format_html('<div style="{}">{}</div>', style, linebreaksbr(obj.body, autoescape=True))

    @admin.display(description=_("atașamente"))
    def files(self, obj):
        return attachment_links(obj.attachments.all())


class NewMessageForm(forms.ModelForm):
    attachments = AttachmentsField()

    class Meta:
        model = Message
        fields = ["body", "is_internal"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.from_staff = True
        self.fields["attachments"].help_text = attachments_help()


class NewMessageInline(admin.StackedInline):
    """Write a reply (emailed to the client) or an internal note; saved through the service."""

    model = Message
    form = NewMessageForm
    verbose_name = _("răspuns nou sau notă internă")
    verbose_name_plural = _("răspuns nou / notă internă")
    extra = 1
    max_num = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


class TicketAdminForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ["subject", "category", "priority", "status", "assigned_to"]
        widgets = {"subject": forms.TextInput(attrs={"size": 80})}


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    form = TicketAdminForm
    # SLA early: at 1366 px with admin's navigation open, the last columns need scrolling.
    list_display = (
        "number",
        "subject",
        "company",
        "status",
        "priority",
        "sla",
        "assigned_to",
        "last_activity_at",
        "first_response_due",
    )
    list_display_links = ("number", "subject")
    list_filter = ("status", "priority", AssignedFilter, BreachedFilter, "category")
    search_fields = ("number", "subject", "description", "company__name", "company__cui", "opened_by__email")
    list_select_related = ("company", "assigned_to")
    date_hierarchy = "created_at"
    readonly_fields = (
        "number",
        "company",
        "opened_by",
        "linked_object",
        "description_html",
        "description_files",
        "created_at",
        "last_activity_at",
        "first_response_due",
        "first_responded_at",
        "resolution_due",
        "resolved_at",
        "waiting_since",
        "closed_at",
        "sla",
        "rating_display",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("number", "company"),
                    "subject",
                    ("category", "priority"),
                    ("status", "assigned_to"),
                    "opened_by",
                    "linked_object",
                    "description_html",
                    "description_files",
                )
            },
        ),
        (
            _("Termene"),
            {
                "fields": (
                    ("created_at", "last_activity_at"),
                    ("first_response_due", "first_responded_at"),
                    ("resolution_due", "resolved_at"),
                    ("waiting_since", "closed_at"),
                    "sla",
                )
            },
        ),
        (_("Evaluarea clientului"), {"fields": ("rating_display",)}),
    )
    inlines = [MessageHistoryInline, NewMessageInline]
    actions = ["assign_to_me", "mark_in_progress", "mark_waiting", "mark_resolved", "mark_closed"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_breach()

    def has_add_permission(self, request):
        # Tickets are opened by clients (or by another section's service, e.g. a delivery problem).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        download = path(
            "atasament/<int:attachment_id>/",
            self.admin_site.admin_view(self.download_view),
            name="support_attachment_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, attachment_id: int):
        if not self.has_view_permission(request):
            raise Http404
        attachment = get_object_or_404(Attachment.objects.select_related("file", "ticket"), pk=attachment_id)
        services.record_download(attachment=attachment, user=request.user)
        stored = attachment.file
        return file_response(stored, filename=safe_filename(stored.original_name.rsplit(".", 1)[0], stored.extension))

    # --- read-only displays ----------------------------------------------------------------------

    @admin.display(description=_("SLA"), boolean=False, ordering="breached")
    def sla(self, obj):
        # Annotated in lists (TicketQuerySet.with_breach); computed on the change form.
        response = obj.late_response if hasattr(obj, "late_response") else obj.first_response_late()
        resolution = obj.late_resolution if hasattr(obj, "late_resolution") else obj.resolution_late()
        late = [str(label) for flag, label in ((response, _("răspuns")), (resolution, _("rezolvare"))) if flag]
        if late:
            return format_html('<strong style="color:#b02a37">{}: {}</strong>', _("depășit"), ", ".join(late))
        return _("în termen")

    @admin.display(description=_("legat de"))
    def linked_object(self, obj):
        if obj.linked_type_id is None:
            return "—"
        linked = obj.linked
        if linked is None:
            return _("(obiect șters)")
        try:
            url = reverse(f"admin:{obj.linked_type.app_label}_{obj.linked_type.model}_change", args=[linked.pk])
        except NoReverseMatch:  # the model has no admin page
            return format_html("{}: {}", obj.linked_type.name, linked)
        return format_html('{}: <a href="{}">{}</a>', obj.linked_type.name, url, linked)

    @admin.display(description=_("descriere"))
    def description_html(self, obj):
        return format_html("<div>{}</div>", linebreaksbr(obj.description, autoescape=True))

    @admin.display(description=_("atașamentele descrierii"))
    def description_files(self, obj):
        return attachment_links(obj.attachments.filter(message__isnull=True).select_related("file"))

    @admin.display(description=_("evaluare"))
    def rating_display(self, obj):
        if obj.rating is None:
            return "—"
        return format_html(
            "{} / 5 — {} <small>({}, {})</small>",
            obj.rating,
            obj.rating_comment or "—",
            obj.rated_by or "—",
            obj.rated_at.strftime("%d.%m.%Y") if obj.rated_at else "",
        )

    # --- saving through the services -------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        original = Ticket.objects.get(pk=obj.pk)
        request._support_new_status = obj.status if obj.status != original.status else None
        try:
            services.ticket_edit_details(ticket=original, subject=obj.subject, category=obj.category, by=request.user)
            if obj.priority != original.priority:
                services.ticket_set_priority(ticket=obj, priority=obj.priority, by=request.user)
            if obj.assigned_to_id != original.assigned_to_id:
                services.ticket_assign(ticket=obj, assignee=obj.assigned_to, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.form, NewMessageForm):
            return super().save_formset(request, form, formset, change)
        # What the admin's change log reads.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for message_form in formset.forms:
            if not message_form.has_changed() or not message_form.cleaned_data.get("body"):
                continue
            data = message_form.cleaned_data
            # A public reply carries the new status: the client gets one email that says both.
            status = None if data["is_internal"] else getattr(request, "_support_new_status", None)
            try:
                formset.new_objects.append(
                    services.ticket_staff_message(
                        ticket=form.instance,
                        user=request.user,
                        body=data["body"],
                        is_internal=data["is_internal"],
                        attachments=data["attachments"],
                        status=status,
                    )
                )
                if status:
                    request._support_new_status = None
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A status not carried by a public reply (none written, or an internal note) is set on its own.
        status = getattr(request, "_support_new_status", None)
        if status:
            try:
                services.ticket_set_status(ticket=form.instance, status=status, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    # --- actions ---------------------------------------------------------------------------------

    @admin.action(description=_("Preiau tichetele selectate (atribuie-mi)"))
    def assign_to_me(self, request, queryset):
        for ticket in queryset:
            services.ticket_assign(ticket=ticket, assignee=request.user, by=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%d tichet vă este atribuit.", "%d tichete vă sunt atribuite.", count) % count,
            messages.SUCCESS,
        )

    def _set_status(self, request, queryset, status):
        done = 0
        for ticket in queryset:
            try:
                services.ticket_set_status(ticket=ticket, status=status, by=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
        if done:
            label = Ticket.Status(status).label
            self.message_user(
                request,
                ngettext(
                    "%(count)d tichet trecut în starea „%(status)s”.",
                    "%(count)d tichete trecute în starea „%(status)s”.",
                    done,
                )
                % {"count": done, "status": label},
                messages.SUCCESS,
            )

    @admin.action(description=_("Marchează „în lucru”"))
    def mark_in_progress(self, request, queryset):
        self._set_status(request, queryset, Ticket.Status.IN_PROGRESS)

    @admin.action(description=_("Marchează „așteaptă răspunsul clientului”"))
    def mark_waiting(self, request, queryset):
        self._set_status(request, queryset, Ticket.Status.WAITING)

    @admin.action(description=_("Marchează „rezolvat”"))
    def mark_resolved(self, request, queryset):
        self._set_status(request, queryset, Ticket.Status.RESOLVED)

    @admin.action(description=_("Marchează „închis”"))
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, Ticket.Status.CLOSED)


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ticket", "from_status", "to_status", "by", "by_staff")
    list_filter = ("to_status", "by_staff")
    search_fields = ("ticket__number", "ticket__subject")
    list_select_related = ("ticket", "by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
