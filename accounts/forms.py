from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Membership, User
from accounts.validators import normalize_cui, normalize_reg_com, validate_cui, validate_reg_com
from portal.counties import county_problem

PHONE_HELP = _("De exemplu 0722 123 456 sau +40 722 123 456.")


def clean_phone(value: str) -> str:
    digits = value.replace(" ", "").replace(".", "").replace("-", "")
    if digits and not (digits.lstrip("+").isdigit() and 9 <= len(digits.lstrip("+")) <= 15):
        raise forms.ValidationError(_("Introduceți un număr de telefon valid."))
    return value.strip()


class SignupForm(AllauthSignupForm):
    """Înregistrare: the person and their company, in one step."""

    first_name = forms.CharField(label=_("Prenume"), max_length=150)
    last_name = forms.CharField(label=_("Nume"), max_length=150)
    phone = forms.CharField(label=_("Telefon"), max_length=32, help_text=PHONE_HELP)
    company_name = forms.CharField(label=_("Denumirea companiei"), max_length=200)
    cui = forms.CharField(
        label=_("CUI"),
        max_length=14,
        help_text=_("Cu prefixul RO dacă firma este plătitoare de TVA, de exemplu RO18547290."),
    )
    reg_com = forms.CharField(
        label=_("Nr. Reg. Com."), max_length=20, required=False, help_text=_("De exemplu J40/1234/2015.")
    )
    address = forms.CharField(label=_("Adresa sediului"), max_length=255)
    city = forms.CharField(label=_("Localitate"), max_length=100)
    county = forms.CharField(label=_("Județ"), max_length=100)

    person_fields = ("first_name", "last_name", "email", "phone", "password1", "password2")
    company_fields = ("company_name", "cui", "reg_com", "address", "city", "county")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*self.person_fields, *self.company_fields])
        self.fields["email"].label = _("Email")
        for name, autocomplete in {
            "first_name": "given-name",
            "last_name": "family-name",
            "phone": "tel",
            "company_name": "organization",
            "address": "street-address",
            "city": "address-level2",
            "county": "address-level1",
        }.items():
            self.fields[name].widget.attrs["autocomplete"] = autocomplete

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_cui(self):
        cui = normalize_cui(self.cleaned_data["cui"])
        validate_cui(cui)
        return cui

    def clean_reg_com(self):
        value = normalize_reg_com(self.cleaned_data["reg_com"])
        validate_reg_com(value)
        return value

    def clean(self):
        data = super().clean()
        # The company is created by services.register_company_user, not by a ModelForm: the model's
        # county check (Company.clean) would not run, so the form asks the same question.
        if data.get("county"):
            problem = county_problem(county=data["county"], city=data.get("city", ""), address=data.get("address", ""))
            if problem:
                self.add_error("county", problem)
        return data

    def save(self, request):
        # One transaction: the user, their email address and their company or join request.
        with transaction.atomic():
            user = super().save(request)
            data = self.cleaned_data
            services.register_company_user(
                user=user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                company_data={
                    "name": data["company_name"],
                    "cui": data["cui"],
                    "reg_com": data["reg_com"],
                    "address": data["address"],
                    "city": data["city"],
                    "county": data["county"],
                },
            )
        return user

    @property
    def person_bound_fields(self):
        return [self[name] for name in self.person_fields]

    @property
    def company_bound_fields(self):
        return [self[name] for name in self.company_fields]


class RightsFields(forms.Form):
    role = forms.ChoiceField(
        label=_("Rol"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text=_("Administratorii gestionează colegii și au toate drepturile."),
    )
    can_accept_offers = forms.BooleanField(label=_("Poate accepta sau respinge oferte"), required=False)
    can_see_billing = forms.BooleanField(label=_("Vede facturi, plăți și fișa de cont"), required=False)


class InvitationForm(RightsFields):
    email = forms.EmailField(label=_("Adresa de email a colegului"))
    field_order = ["email", "role", "can_accept_offers", "can_see_billing"]


class MembershipForm(RightsFields):
    job_title = forms.CharField(label=_("Funcție"), max_length=100, required=False)


class InvitationSignupForm(forms.Form):
    first_name = forms.CharField(label=_("Prenume"), max_length=150)
    last_name = forms.CharField(label=_("Nume"), max_length=150)
    phone = forms.CharField(label=_("Telefon"), max_length=32, help_text=PHONE_HELP)
    password1 = forms.CharField(label=_("Parolă"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Parolă (din nou)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Cele două parole nu coincid."))
        elif p1:
            probe = User(email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("Prenume"), max_length=150)
    last_name = forms.CharField(label=_("Nume"), max_length=150)
    phone = forms.CharField(label=_("Telefon"), max_length=32, required=False, help_text=PHONE_HELP)
    language = forms.ChoiceField(label=_("Limba portalului și a emailurilor"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class AccountCloseForm(forms.Form):
    """Closing the account: the password again and an explicit confirmation (it cannot be undone)."""

    password = forms.CharField(
        label=_("Parola actuală"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("Înțeleg că închiderea contului este definitivă și că nu mă voi mai putea autentifica."),
        error_messages={"required": _("Bifați confirmarea pentru a închide contul.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Parola nu este corectă."))
        return password
