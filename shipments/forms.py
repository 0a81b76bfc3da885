from django import forms
from django.utils.translation import gettext_lazy as _

from files.forms import CheckedFileField, upload_help
from shipments.models import ReceiptKind, Status
from shipments.selectors import ON_THE_WAY

MAX_ATTACHMENTS = 5
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ShipmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Stare"),
        required=False,
        choices=[
            ("", _("toate")),
            (ON_THE_WAY, _("pe drum (expediate, în tranzit, în livrare, eșuate)")),
            *Status.choices,
        ],
    )
    date_from = forms.DateField(label=_("De la"), required=False, input_formats=DATE_FORMATS, widget=date_input())
    date_to = forms.DateField(label=_("Până la"), required=False, input_formats=DATE_FORMATS, widget=date_input())

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Sfârșitul perioadei este înaintea începutului."))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: self.cleaned_data[key] for key in ("status", "date_from", "date_to")}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class CheckedFilesField(CheckedFileField):
    """Several files, each through the upload checks of files/."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploaded = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploaded:
            return [] if not self.required else super().clean(None, initial)
        if len(uploaded) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Atașați cel mult %(count)d fișiere.") % {"count": MAX_ATTACHMENTS})
        return [super(CheckedFilesField, self).clean(f, initial) for f in uploaded]


class ProblemReportForm(forms.Form):
    description = forms.CharField(
        label=_("Ce s-a întâmplat?"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("De exemplu: colet deteriorat, produse lipsă sau greșite, întârziere, curierul nu a venit."),
    )
    attachments = CheckedFilesField(label=_("Fotografii sau documente"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = (
            _("Opțional, cel mult %(count)d fișiere. ") % {"count": MAX_ATTACHMENTS} + upload_help()
        )


class ReceiptForm(forms.Form):
    """The confirmation button's form (a POST from elsewhere without it is refused): the button names the
    kind of receipt the page offers (the service decides whether that kind may be confirmed)."""

    confirm = forms.BooleanField(required=True, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=ReceiptKind.choices, widget=forms.HiddenInput)
