import uuid
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from billing.models import OPEN_FILTER, Invoice
from billing.selectors import SORTS
from files.forms import CheckedFileField, upload_help
from portal.forms import AmountField
from portal.money import Currency, format_money


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _status_choices():
    shown = [
        Invoice.DisplayStatus.ISSUED,
        Invoice.DisplayStatus.PARTIALLY_PAID,
        Invoice.DisplayStatus.OVERDUE,
        Invoice.DisplayStatus.PAID,
        Invoice.DisplayStatus.CANCELLED,
        Invoice.DisplayStatus.CREDIT_NOTE,
    ]
    return [
        ("", _("toate")),
        (OPEN_FILTER, _("neachitate (toate)")),
        *[(status.value, status.label) for status in shown],
    ]


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Stare"), required=False, choices=_status_choices)
    date_from = forms.DateField(label=_("Emise de la"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("până la"), required=False, widget=DateInput)
    project = forms.ChoiceField(label=_("Proiect"), required=False)
    sort = forms.ChoiceField(
        label=_("Ordonare"),
        required=False,
        choices=[
            ("-issued", _("cele mai noi")),
            ("issued", _("cele mai vechi")),
            ("due", _("după scadență")),
            ("-balance", _("rest de plată")),
        ],
    )

    def __init__(self, *args, projects: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", _("toate")), *projects]
        if not projects:
            del self.fields["project"]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Sfârșitul perioadei este înaintea începutului."))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        sort = data["sort"]
        return {
            "status": data["status"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "project": data.get("project", ""),
            "sort": sort if sort in SORTS else "-issued",
        }


class StatementForm(forms.Form):
    date_from = forms.DateField(label=_("De la"), widget=DateInput)
    date_to = forms.DateField(label=_("Până la"), widget=DateInput)
    currency = forms.ChoiceField(label=_("Monedă"), choices=Currency.choices, initial=Currency.RON)

    MAX_DAYS = 3660

    @staticmethod
    def defaults(today: date | None = None) -> dict:
        today = today or timezone.localdate()
        return {
            "date_from": today.replace(month=1, day=1).isoformat(),
            "date_to": today.isoformat(),
            "currency": Currency.RON,
        }

    def __init__(self, data=None, **kwargs):
        if not data or not any(data.get(key) for key in ("date_from", "date_to", "currency")):
            data = self.defaults()
        else:
            data = {**self.defaults(), **{key: value for key, value in data.items() if value}}
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("Sfârșitul perioadei este înaintea începutului."))
            elif end - start > timedelta(days=self.MAX_DAYS):
                self.add_error("date_from", _("Alegeți o perioadă de cel mult 10 ani."))
        return data


class InvoiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, invoice: Invoice) -> str:
        return _("%(invoice)s — scadentă %(date)s — rest %(balance)s") % {
            "invoice": invoice,
            "date": date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
            "balance": format_money(invoice.balance, invoice.currency),
        }


class PaymentNoticeForm(forms.Form):
    amount = AmountField(label=_("Suma plătită"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    currency = forms.ChoiceField(label=_("Monedă"), choices=Currency.choices, initial=Currency.RON)
    paid_on = forms.DateField(label=_("Data plății"), widget=DateInput)
    reference = forms.CharField(
        label=_("Referința plății"),
        max_length=64,
        help_text=_("Nr. ordinului de plată sau referința din extrasul de cont."),
    )
    invoices = InvoiceChoiceField(
        label=_("Facturile plătite"),
        queryset=Invoice.objects.none(),
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Plata se alocă pe ele de la cea mai veche scadență; ce rămâne apare ca avans în contul dvs."),
    )
    message = forms.CharField(
        label=_("Mesaj pentru furnizor"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    proof = CheckedFileField(label=_("Dovada plății"))

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = invoices
        self.fields["proof"].help_text = _("Ordinul de plată sau extrasul de cont (PDF sau imagine). ") + upload_help()
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("Data plății nu poate fi în viitor."))
        return paid_on

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()

    def clean(self):
        data = super().clean()
        invoices, currency = data.get("invoices"), data.get("currency")
        if invoices and currency and any(invoice.currency != currency for invoice in invoices):
            self.add_error(
                "invoices",
                _("Facturile alese trebuie să fie în moneda plății (%(currency)s).") % {"currency": currency},
            )
        return data


class UUIDListField(forms.Field):
    """Several public ids from checkboxes of the same name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        values = value or []
        try:
            return [str(uuid.UUID(str(item))) for item in values]
        except ValueError:
            raise forms.ValidationError(_("Alegerea facturilor nu este validă; reîncărcați pagina.")) from None


class ArchiveForm(forms.Form):
    """The invoices an accountant wants in one ZIP: the ticked ones, or else all issued in the period."""

    invoices = UUIDListField(required=False)
    date_from = forms.DateField(label=_("Emise de la"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("până la"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if not data.get("invoices") and not (data.get("date_from") and data.get("date_to")):
            raise forms.ValidationError(_("Bifați facturile dorite sau alegeți perioada (de la, până la)."))
        return data
