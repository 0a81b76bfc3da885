from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import clean_phone
from files.forms import upload_help
from files.validation import validate_upload
from portal.forms import AmountField
from quotes import conf, services
from quotes.models import DeliveryAddress, Offer, Product, QuoteRequest
from quotes.services import NewAddress, RequestLine

PRODUCTS_DATALIST = "quote-products"
LABEL_SEPARATOR = " — "


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files, each through the files/ upload checks (size, extension, content)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > conf.max_attachments():
            raise ValidationError(_("Puteți atașa cel mult %(count)d fișiere.") % {"count": conf.max_attachments()})
        errors, cleaned = [], []
        for uploaded in files:
            try:
                cleaned.append(super().clean(uploaded, initial))
                validate_upload(uploaded)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class RequestLineForm(forms.Form):
    product = forms.CharField(
        label=_("Produs"),
        max_length=200,
        help_text=_("Alegeți din catalog sau descrieți produsul cu cuvintele dvs."),
        error_messages={"required": _("Scrieți produsul sau alegeți-l din catalog.")},
        widget=forms.TextInput(
            attrs={"list": PRODUCTS_DATALIST, "autocomplete": "off", "class": "quote-product-input"}
        ),
    )
    quantity = AmountField(
        label=_("Cantitate"),
        max_digits=12,
        decimal_places=3,
        min_value=0.001,
        localize=True,
        error_messages={
            "required": _("Scrieți cantitatea."),
            "invalid": _("Scrieți un număr, de exemplu 2 sau 2,5."),
            "min_value": _("Cantitatea trebuie să fie mai mare decât zero."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = forms.CharField(
        label=_("UM"),
        max_length=20,
        required=False,
        help_text=_("Gol: unitatea din catalog sau „buc”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "buc"}),
    )
    note = forms.CharField(
        label=_("Notă"), max_length=300, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class BaseRequestLineFormSet(forms.BaseFormSet):
    """Empty rows are ignored wherever they are; at least one filled row is required."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = True
        form.use_required_attribute = False
        return form

    @property
    def filled_forms(self) -> list[RequestLineForm]:
        return [form for form in self.forms if form.has_changed()]

    def clean(self):
        if any(form.errors for form in self.forms):
            return
        filled = self.filled_forms
        if not filled:
            raise ValidationError(_("Adăugați cel puțin un produs."))
        if len(filled) > conf.max_lines():
            raise ValidationError(_("O cerere poate avea cel mult %(count)d rânduri.") % {"count": conf.max_lines()})
        codes = {self._code(form.cleaned_data["product"]) for form in filled}
        products = {p.code.upper(): p for p in Product.objects.filter(active=True, code__in=codes)}
        for form in filled:
            form.cleaned_data["catalogue_product"] = products.get(self._code(form.cleaned_data["product"]))

    @staticmethod
    def _code(text: str) -> str:
        return text.split(LABEL_SEPARATOR, 1)[0].strip().upper()

    def lines(self) -> list[RequestLine]:
        lines = []
        for form in self.filled_forms:
            data = form.cleaned_data
            product = data.get("catalogue_product")
            lines.append(
                RequestLine(
                    description=product.name if product else data["product"].strip(),
                    quantity=data["quantity"],
                    unit=data["unit"].strip() or (product.unit if product else "buc"),
                    product=product,
                    note=data["note"].strip(),
                )
            )
        return lines


RequestLineFormSet = forms.formset_factory(
    RequestLineForm, formset=BaseRequestLineFormSet, extra=0, min_num=1, max_num=200, absolute_max=200
)


class QuoteRequestForm(forms.Form):
    delivery_option = forms.ChoiceField(
        label=_("Livrare"),
        choices=QuoteRequest.Delivery.choices,
        initial=QuoteRequest.Delivery.ADDRESS,
        widget=forms.RadioSelect,
    )
    address_entry = forms.ModelChoiceField(
        label=_("Adresă din agenda companiei"),
        queryset=DeliveryAddress.objects.none(),
        required=False,
        empty_label=_("— o adresă nouă, completată mai jos —"),
    )
    new_label = forms.CharField(
        label=_("Denumire (pentru agendă)"),
        max_length=100,
        required=False,
        help_text=_("De exemplu „Depozit Chitila”."),
    )
    new_address = forms.CharField(
        label=_("Adresă"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    new_city = forms.CharField(
        label=_("Localitate"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    new_county = forms.CharField(
        label=_("Județ"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    new_contact_name = forms.CharField(label=_("Persoană de contact"), max_length=150, required=False)
    new_contact_phone = forms.CharField(
        label=_("Telefon contact"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    save_address = forms.BooleanField(label=_("Salvează adresa în agenda companiei"), required=False)
    desired_date = forms.DateField(
        label=_("Data dorită de livrare"),
        required=False,
        help_text=_("Opțional. Furnizorul o ia în calcul la stabilirea termenului."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    remarks = forms.CharField(
        label=_("Observații"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Specificații, condiții speciale, buget estimat..."),
    )
    attachments = AttachmentsField(label=_("Atașamente"), required=False)

    NEW_ADDRESS_FIELDS = ("new_address", "new_city", "new_county")

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["address_entry"].queryset = DeliveryAddress.objects.for_company(company).order_by("label", "id")
        self.fields["attachments"].help_text = (
            str(upload_help())
            + " "
            + str(_("Puteți alege mai multe fișiere (cel mult %(count)d).") % {"count": conf.max_attachments()})
        )
        self.fields["desired_date"].widget.attrs["min"] = timezone.localdate().isoformat()

    def clean_desired_date(self):
        desired = self.cleaned_data.get("desired_date")
        if desired and desired < timezone.localdate():
            raise ValidationError(_("Data dorită nu poate fi în trecut."))
        return desired

    def clean_new_contact_phone(self):
        return clean_phone(self.cleaned_data["new_contact_phone"])

    def clean(self):
        data = super().clean()
        if data.get("delivery_option") not in QuoteRequest.NEEDS_ADDRESS or data.get("address_entry"):
            return data
        filled = [name for name in self.NEW_ADDRESS_FIELDS if data.get(name, "").strip()]
        if not filled and not self.errors:
            self.add_error("address_entry", _("Alegeți o adresă din agendă sau completați adresa de livrare."))
        else:
            for name in self.NEW_ADDRESS_FIELDS:
                if name not in filled and name not in self.errors:
                    self.add_error(name, _("Completați și acest câmp al adresei."))
        return data

    def new_address_value(self) -> NewAddress | None:
        data = self.cleaned_data
        if data["delivery_option"] not in QuoteRequest.NEEDS_ADDRESS or data.get("address_entry"):
            return None
        return NewAddress(
            label=data["new_label"].strip(),
            address=data["new_address"].strip(),
            city=data["new_city"].strip(),
            county=data["new_county"].strip(),
            contact_name=data["new_contact_name"].strip(),
            contact_phone=data["new_contact_phone"],
        )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Stare"), required=False, choices=[("", _("toate")), *QuoteRequest.Status.choices]
    )

    def filters(self) -> dict:
        return {"status": self.cleaned_data["status"]} if self.is_valid() else {}


class OfferFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Stare"),
        required=False,
        choices=[
            ("", _("toate")),
            *[
                (value, label)
                for value, label in Offer.DisplayStatus.choices
                if value in ("open", "accepted", "rejected", "expired")
            ],
        ],
    )

    def filters(self) -> dict:
        return {"status": self.cleaned_data["status"]} if self.is_valid() else {}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivul (opțional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ne ajută să vă trimitem o ofertă mai potrivită."),
    )


class AcceptForm(forms.Form):
    """The acceptance's optional details, checked by the service's own rules (services.clean_acceptance)."""

    po_number = forms.CharField(
        label=_("Număr comandă client / PO (opțional)"),
        required=False,
        max_length=services.PO_NUMBER_MAX,
        help_text=_("Numărul comenzii din sistemul dvs. de achiziții; apare pe confirmarea de comandă."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Notă pentru furnizor (opțional)"),
        required=False,
        max_length=services.ACCEPTANCE_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("De exemplu persoana de contact pentru livrare sau un interval orar."),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["po_number"], data["note"] = services.clean_acceptance(
                po_number=data.get("po_number", ""), note=data.get("note", "")
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return data


class FollowUpForm(forms.Form):
    """What the client adds to a request made from an offer: the lines and delivery come from it."""

    remarks = forms.CharField(
        label=_("Observații (opțional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce doriți schimbat față de oferta anterioară: cantități, termene, livrare."),
    )
