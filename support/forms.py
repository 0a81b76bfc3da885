from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from files.forms import upload_help
from files.validation import validate_upload
from support import conf, selectors
from support.models import Ticket


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files at once, each through the upload checks of ``files``."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Atașamente"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        cleaned = [single(item, initial) for item in files]
        if len(cleaned) > conf.max_attachments():
            raise ValidationError(
                _("Puteți atașa cel mult %(max)d fișiere la un mesaj.") % {"max": conf.max_attachments()}
            )
        errors = []
        for uploaded in cleaned:
            try:
                validate_upload(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def attachments_help() -> str:
    return _("Opțional, cel mult %(max)d fișiere. %(rules)s") % {"max": conf.max_attachments(), "rules": upload_help()}


def priority_help() -> str:
    parts = []
    for value, label in Ticket.Priority.choices:
        response, resolution = conf.sla_hours(value)
        parts.append(
            _("%(priority)s: răspuns în %(response)d h, rezolvare în %(resolution)d h")
            % {"priority": label, "response": response, "resolution": resolution}
        )
    return "; ".join(str(p) for p in reversed(parts)) + "."


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Caută"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("număr sau subiect")}),
    )
    status = forms.ChoiceField(
        label=_("Stare"),
        required=False,
        choices=[("", _("toate")), ("active", _("deschise (toate)")), *Ticket.Status.choices],
    )
    category = forms.ChoiceField(
        label=_("Categorie"), required=False, choices=[("", _("toate")), *Ticket.Category.choices]
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"query": data["q"].strip(), "status": data["status"], "category": data["category"]}


class TicketForm(forms.Form):
    subject = forms.CharField(
        label=_("Subiect"),
        max_length=200,
        help_text=_("Pe scurt, despre ce este vorba (ex.: „Pompa CP-200 nu pornește”)."),
    )
    category = forms.ChoiceField(
        label=_("Categorie"), choices=Ticket.Category.choices, initial=Ticket.Category.TECHNICAL
    )
    priority = forms.ChoiceField(label=_("Prioritate"), choices=Ticket.Priority.choices, initial=Ticket.Priority.NORMAL)
    # A plain value checked by clean_linked (not a ChoiceField): any object of the company, even beyond
    # the 50 listed, can be named by a link such as ?link=contracts.contract:<uuid>.
    linked = forms.CharField(
        label=_("Legat de"),
        required=False,
        max_length=200,
        widget=forms.Select,
        help_text=_("Opțional: proiectul, factura, expedierea, oferta sau contractul la care se referă solicitarea."),
    )
    description = forms.CharField(
        label=_("Descriere"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ce s-a întâmplat, ce ați încercat, de când; cu cât mai multe detalii, cu atât răspundem mai repede."
        ),
    )
    attachments = AttachmentsField()

    def __init__(self, *args, company, membership, initial_link=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.company, self.membership = company, membership
        groups = selectors.link_choices(company=company, membership=membership, extra=initial_link)
        self.fields["linked"].widget.choices = [("", _("— nimic —")), *groups]
        if not groups:
            self.fields["linked"].widget = forms.HiddenInput()
        if initial_link is not None:
            self.initial["linked"] = selectors.link_value(initial_link)
        self.fields["priority"].help_text = priority_help()
        self.fields["attachments"].help_text = attachments_help()

    def clean_linked(self):
        # Resolved again through the company's own objects: a forged value of another company is refused.
        return selectors.resolve_link(
            company=self.company, membership=self.membership, value=self.cleaned_data.get("linked", "")
        )


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Mesajul dvs."), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Cât de mulțumit sunteți de rezolvare?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, _("5 — foarte mulțumit")),
            (4, _("4 — mulțumit")),
            (3, _("3 — acceptabil")),
            (2, _("2 — nemulțumit")),
            (1, _("1 — foarte nemulțumit")),
        ],
    )
    comment = forms.CharField(
        label=_("Comentariu (opțional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
