"""The supplier's back office for projects: a project with its tasks inline, replies to the client.

Every save goes through ``projects.services``: the forms call the same field rules and cycle check
to show errors beside the fields, and the service checks again inside its transaction.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Membership, User
from portal.forms import NUMBER_FIELD_OVERRIDES
from projects import selectors, services
from projects.models import Comment, CommentAttachment, Project, Task
from projects.progress import progress_annotations, sums_from_annotations


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = (
            "company",
            "code",
            "name",
            "description",
            "status",
            "offer",
            "contract",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "manager_name",
            "manager_email",
            "manager_phone",
        )

    def clean(self):
        data = super().clean()
        company = data.get("company") or getattr(self.instance, "company", None)
        probe = Project(
            company=company,
            contract=data.get("contract"),
            offer=data.get("offer"),
            **{name: data.get(name) for name in ("planned_start", "planned_end", "actual_start", "actual_end")},
        )
        services.clean_project_fields(probe)
        return data


class TaskAdminForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = (
            "phase",
            "position",
            "title",
            "start",
            "end",
            "is_milestone",
            "status",
            "progress",
            "responsible",
            "client_contact",
            "depends_on",
            "description",
        )
        widgets = {
            "phase": forms.TextInput(attrs={"size": 14}),
            "position": forms.NumberInput(attrs={"style": "width: 4.5em"}),
            "title": forms.TextInput(attrs={"size": 30}),
            "progress": forms.NumberInput(attrs={"style": "width: 4.5em"}),
            "responsible": forms.TextInput(attrs={"size": 16}),
            "description": forms.Textarea(attrs={"rows": 2, "cols": 30}),
            "depends_on": forms.SelectMultiple(attrs={"size": 3}),
        }

    def __init__(self, *args, company_id=None, in_formset=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.company_id = company_id
        self.in_formset = in_formset  # the inline formset checks the graph of all its rows at once

    def clean(self):
        data = super().clean()
        probe = Task(
            start=data.get("start"),
            end=data.get("end"),
            is_milestone=data.get("is_milestone", False),
            progress=data.get("progress"),
            status=data.get("status"),
            client_contact=data.get("client_contact"),
        )
        project = data.get("project")
        company_id = self.company_id or self.instance.company_id or (project.company_id if project else None)
        services.clean_task_fields(probe, company_id=company_id)
        if self.instance.pk and data.get("depends_on") is not None:
            services.check_predecessors(self.instance, data["depends_on"], project_id=self.instance.project_id)
            if not self.in_formset:
                services.check_graph_with(
                    project_id=self.instance.project_id, task_id=self.instance.pk, predecessors=data["depends_on"]
                )
        return data


class TaskFormSet(forms.BaseInlineFormSet):
    """Choices computed once per page (not once per row), and the dependency graph checked as a whole."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.instance if self.instance.pk else None
        tasks = Task.objects.filter(project=project).order_by("position", "start", "id") if project else []
        self._task_choices = [(task.pk, task.title) for task in tasks]
        members = (
            User.objects.filter(
                memberships__company_id=project.company_id, memberships__status=Membership.Status.ACTIVE
            ).order_by("last_name")
            if project
            else []
        )
        self._contact_choices = [("", "---------"), *((user.pk, str(user)) for user in members)]

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "company_id": self.instance.company_id, "in_formset": True}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        self._narrow(form)
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        self._narrow(form)
        return form

    def _narrow(self, form):
        form.fields["depends_on"].choices = self._task_choices
        form.fields["client_contact"].choices = self._contact_choices

    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.pk:
            return
        chosen: dict[int, list[int]] = {}  # task -> its predecessors, as the forms now say
        deleted: set[int] = set()
        for form in self.forms:
            if not form.instance.pk or not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and self._should_delete_form(form):
                deleted.add(form.instance.pk)
            else:
                chosen[form.instance.pk] = [task.pk for task in form.cleaned_data.get("depends_on") or []]
        services.check_graph_after(project_id=self.instance.pk, predecessors_of=chosen, deleted=deleted)


class TaskInline(admin.TabularInline):
    model = Task
    formfield_overrides = NUMBER_FIELD_OVERRIDES
    form = TaskAdminForm
    formset = TaskFormSet
    extra = 0
    ordering = ("position", "start", "id")
    show_change_link = True


class CommentInline(admin.StackedInline):
    """The project's conversation; staff reply by adding a message (sent as the supplier)."""

    model = Comment
    extra = 0
    fields = ("created_at", "author", "from_supplier", "body", "files")
    readonly_fields = ("created_at", "author", "from_supplier", "files")
    verbose_name = _("mesaj")
    verbose_name_plural = _("discuția cu clientul (adăugați un mesaj pentru a răspunde)")

    def has_change_permission(self, request, obj=None):
        return False  # a sent message is not edited; a reply is a new message

    @admin.display(description=_("atașamente"))
    def files(self, comment):
        return ", ".join(a.file.original_name for a in comment.attachments.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("attachments__file")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = (
        "code",
        "name",
        "company",
        "status",
        "planned_start",
        "planned_end",
        "progress",
        "late_tasks",
        "manager_name",
    )
    list_filter = ("status", ("planned_end", admin.DateFieldListFilter), "company")
    search_fields = ("code", "name", "company__name", "company__cui", "manager_name", "manager_email")
    list_select_related = ("company",)
    autocomplete_fields = ("company", "contract")
    readonly_fields = ("public_id", "created_at", "updated_at")
    date_hierarchy = "planned_start"
    inlines = [TaskInline, CommentInline]
    actions = ["notify_milestones"]
    fieldsets = (
        (None, {"fields": ("company", "code", "name", "description", "status", "contract")}),
        (_("Calendar"), {"fields": (("planned_start", "planned_end"), ("actual_start", "actual_end"))}),
        (_("Managerul de proiect (furnizor)"), {"fields": ("manager_name", "manager_email", "manager_phone")}),
        (_("Sistem"), {"fields": ("public_id", "created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(**progress_annotations(), late_task_count=selectors.late_task_count(timezone.localdate()))
        )

    @admin.display(description=_("progres"))
    def progress(self, project):
        return f"{sums_from_annotations(project).percent(project_done=project.status == Project.Status.DONE)} %"

    @admin.display(description=_("sarcini întârziate"), ordering="late_task_count")
    def late_tasks(self, project):
        return project.late_task_count or "—"

    def get_readonly_fields(self, request, obj=None):
        # The company of an existing project does not change: its tasks and documents belong to it.
        return (*self.readonly_fields, "company") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        services.project_save(project=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        project = form.instance
        if formset.model is Task:
            # Without commit the formset writes nothing: it sorts its rows into new, changed and deleted (what
            # the page's history says), and the service writes them and checks the graph once.
            tasks = formset.save(commit=False)
            changes = [
                services.TaskChange(task_form.instance, task_form.cleaned_data.get("depends_on"))
                for task_form in formset.forms
                if task_form.instance in tasks
            ]
            if changes or formset.deleted_objects:
                services.tasks_save(project=project, changes=changes, deleted=formset.deleted_objects, by=request.user)
        elif formset.model is Comment:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for comment_form in formset.extra_forms:
                if comment_form.has_changed() and comment_form not in formset.deleted_forms:
                    comment = services.comment_add(
                        project=project, user=request.user, body=comment_form.cleaned_data["body"], from_supplier=True
                    )
                    formset.new_objects.append(comment)
        else:
            super().save_formset(request, form, formset, change)

    @admin.action(description=_("Anunță clientul despre calendarul jaloanelor"))
    def notify_milestones(self, request, queryset):
        done = 0
        for project in queryset.select_related("company"):
            try:
                services.milestones_notify(project=project, by=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext(
                    "Clientul a fost anunțat pentru %d proiect.", "Clienții au fost anunțați pentru %d proiecte.", done
                )
                % done,
                messages.SUCCESS,
            )


class LateFilter(admin.SimpleListFilter):
    title = _("întârziere")
    parameter_name = "intarziata"

    def lookups(self, request, model_admin):
        return [("da", _("întârziate")), ("nu", _("la zi"))]

    def queryset(self, request, queryset):
        if self.value() == "da":
            return queryset.late()
        if self.value() == "nu":
            return queryset.exclude(pk__in=Task.objects.late().values("pk"))
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """All tasks of all clients: find the late ones, the milestones of the coming weeks."""

    formfield_overrides = NUMBER_FIELD_OVERRIDES
    form = TaskAdminForm
    list_display = ("title", "project", "phase", "start", "end", "is_milestone", "status", "progress", "responsible")
    list_filter = ("status", "is_milestone", LateFilter, ("end", admin.DateFieldListFilter), "project__company")
    search_fields = ("title", "phase", "responsible", "project__code", "project__name", "project__company__name")
    list_select_related = ("project", "project__company")
    autocomplete_fields = ("project",)
    date_hierarchy = "end"

    def get_fields(self, request, obj=None):
        return ("project", *TaskAdminForm.Meta.fields)

    def get_readonly_fields(self, request, obj=None):
        return ("project",) if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            form.base_fields["depends_on"].queryset = Task.objects.filter(project=obj.project_id).exclude(pk=obj.pk)
            form.base_fields["client_contact"].queryset = User.objects.filter(
                memberships__company_id=obj.company_id, memberships__status=Membership.Status.ACTIVE
            )
        else:
            form.base_fields["depends_on"].queryset = Task.objects.none()
            form.base_fields["depends_on"].help_text = _("Salvați sarcina, apoi alegeți dependențele.")
        return form

    def save_model(self, request, obj, form, change):
        depends_on = form.cleaned_data.get("depends_on") if change else None
        services.tasks_save(project=obj.project, changes=[services.TaskChange(obj, depends_on)], by=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # the dependencies were set by the service, after its checks


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("project", "author", "from_supplier", "created_at")
    list_filter = ("from_supplier", "project__company")
    search_fields = ("body", "project__code", "project__name", "author__email")
    list_select_related = ("project", "author")
    readonly_fields = ("company", "project", "author", "from_supplier", "body", "created_at")

    def has_add_permission(self, request):
        return False  # replies are added on the project's page, through the service


admin.site.register(
    CommentAttachment,
    list_display=("file", "comment"),
    raw_id_fields=("comment", "file"),
    list_select_related=("file", "comment"),
)
