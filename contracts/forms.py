from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from contracts.selectors import SORTS


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Stare"),
        required=False,
        choices=[("", _("toate")), *[(v, label) for v, label in Contract.DisplayStatus.choices if v != "draft"]],
    )
    sort = forms.ChoiceField(
        label=_("Ordonare"),
        required=False,
        choices=[
            ("end", _("expiră primele")),
            ("-end", _("expiră ultimele")),
            ("number", _("după număr")),
            ("-start", _("cele mai noi")),
        ],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        sort = self.cleaned_data["sort"]
        return {"status": self.cleaned_data["status"], "sort": sort if sort in SORTS else "end"}


class RenewalForm(forms.Form):
    """What the client adds to a renewal request: its subject and delivery come from the contract."""

    remarks = forms.CharField(
        label=_("Observații (opțional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce doriți schimbat la reînnoire: durată, cantități, servicii incluse."),
    )
