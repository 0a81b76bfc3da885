from django import forms
from django.utils.translation import gettext_lazy as _

from files.validation import allowed_extensions_text
from portal.forms import QueryForm
from projects.models import Project, Task
from projects.services import MAX_COMMENT_ATTACHMENTS


class ProjectFilterForm(QueryForm):
    status = forms.ChoiceField(
        label=_("Stare"), required=False, choices=[("", _("Toate stările")), *Project.Status.choices]
    )
    q = forms.CharField(
        label=_("Caută"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Cod sau denumire"), "type": "search"}),
    )

    def values(self) -> dict:
        if not self.is_valid():
            return {"status": "", "query": ""}
        return {"status": self.cleaned_data["status"], "query": self.cleaned_data["q"].strip()}


TASK_SORT_CHOICES = ["pozitie", "titlu", "faza", "inceput", "sfarsit", "stare", "progres"]


class TaskFilterForm(QueryForm):
    status = forms.ChoiceField(
        label=_("Arată"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
        choices=[
            ("", _("Toate sarcinile")),
            ("deschise", _("Doar cele deschise")),
            ("intarziate", _("Doar cele întârziate")),
            ("jaloane", _("Doar jaloanele")),
            (_("După stare"), Task.Status.choices),
        ],
    )
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("", "")] + [(f"{sign}{key}", key) for key in TASK_SORT_CHOICES for sign in ("", "-")],
    )

    def values(self) -> dict:
        if not self.is_valid():
            return {"status": "", "sort": ""}
        return {"status": self.cleaned_data["status"], "sort": self.cleaned_data["sort"]}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Mesajul dvs."), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Atașamente"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("Opțional, cel mult %(count)d fișiere. Tipuri acceptate: %(types)s.") % {
            "count": MAX_COMMENT_ATTACHMENTS,
            "types": allowed_extensions_text(),
        }
