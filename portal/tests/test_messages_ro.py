"""Romanian as the portal writes it: ș and ț with the comma below in every active message (Django's,
allauth's and ours), no English left in the admin."""

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import allauth
import django
import django.contrib.admin
import pytest
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation.trans_real import DjangoTranslation

from billing.forms import PaymentNoticeForm
from billing.models import Invoice
from portal.forms import AmountField, WholeNumberField, largest_number, number_limit_messages
from quotes.forms import RequestLineForm

CEDILLA = re.compile("[şţŞŢ]")


def active_messages(catalog) -> dict:
    """Every msgid of a merged catalogue with the translation that wins (the first catalogue that has it)."""
    return {key: catalog[key] for key, _ in catalog.items()}


def test_no_active_romanian_message_uses_the_cedilla():
    with translation.override("ro"):
        messages = active_messages(translation.trans_real.translation("ro")._catalog)
    cedilla = {key: value for key, value in messages.items() if CEDILLA.search(value)}
    assert not cedilla, cedilla
    # The catalogues above are the ones the admin, auth, the field validators and allauth use.
    assert messages["Enter a number."] == "Introduceți un număr."
    assert "Please correct the error below." in {key[0] if isinstance(key, tuple) else key for key in messages}


def test_no_admin_javascript_message_uses_the_cedilla():
    admin_locale = Path(django.contrib.admin.__file__).parent / "locale"
    messages = active_messages(DjangoTranslation("ro", domain="djangojs", localedirs=[str(admin_locale)])._catalog)
    cedilla = {key: value for key, value in messages.items() if CEDILLA.search(value)}
    assert not cedilla, cedilla
    assert messages["Sunday"] == "duminică"


@pytest.mark.parametrize(
    ("english", "romanian"),
    [
        ("Show counts", "Arată numărul de rezultate"),
        ("Skip to main content", "Salt la conținutul principal"),
        ("Ensure this value is greater than or equal to %(limit_value)s.", "Introduceți cel puțin %(limit_value)s."),
        (
            "Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
            "Desemnează dacă acest utilizator trebuie tratat ca activ. Deselectați această opțiune în loc să "
            "ștergeți conturi.",
        ),
    ],
)
def test_django_leftovers_read_in_romanian(english, romanian):
    with translation.override("ro"):
        assert gettext(english) == romanian


def test_admin_form_errors_read_in_romanian():
    with translation.override("ro"):
        assert ngettext("Please correct the error below.", "Please correct the errors below.", 1) == (
            "Corectați eroarea de mai jos."
        )
        assert ngettext("Please correct the error below.", "Please correct the errors below.", 3) == (
            "Corectați erorile de mai jos."
        )


# --- Number errors say what is allowed, in the reader's locale ------------------------------------


def quantity_errors(quantity: str) -> list[str]:
    form = RequestLineForm(data={"product": "Cablu", "quantity": quantity})
    form.is_valid()
    return form.errors.get("quantity", [])


@pytest.mark.parametrize("typed", ["1e30", "1000000000", "1 000 000 000"])
def test_a_quantity_with_too_many_digits_says_the_largest_allowed(typed):
    with translation.override("ro"):
        assert quantity_errors(typed) == ["Introduceți cel mult 999.999.999,999."]


def test_a_quantity_with_too_many_decimals_says_how_many_are_allowed():
    with translation.override("ro"):
        assert quantity_errors("1,23456") == ["Introduceți cel mult 3 zecimale."]
        assert quantity_errors("999999999,999") == []


def test_the_quantity_keeps_its_own_zero_message():
    with translation.override("ro"):
        assert quantity_errors("0") == ["Cantitatea trebuie să fie mai mare decât zero."]


def test_the_largest_quantity_is_written_in_the_english_locale():
    with translation.override("en"):
        (message,) = quantity_errors("1e30")
    assert "999,999,999.999" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0", "Introduceți cel puțin 0,01."),
        ("-5", "Introduceți cel puțin 0,01."),
        ("1e30", "Introduceți cel mult 999.999.999.999,99."),
        ("10.001", "Introduceți cel mult 2 zecimale."),
    ],
)
def test_the_payment_notice_amount_says_what_is_allowed(typed, error):
    with translation.override("ro"):
        form = PaymentNoticeForm(data={"amount": typed}, invoices=Invoice.objects.none())
        form.is_valid()
        assert form.errors["amount"] == [error]


def test_one_decimal_and_whole_numbers():
    with translation.override("ro"):
        with pytest.raises(ValidationError) as one_decimal:
            AmountField(max_digits=4, decimal_places=1, localize=True).clean("1,25")
        with pytest.raises(ValidationError) as whole:
            AmountField(max_digits=4, decimal_places=0, localize=True).clean("1,5")
        with pytest.raises(ValidationError) as too_large:
            WholeNumberField(min_value=0, max_value=2147483647).clean("99999999999")
    assert one_decimal.value.messages == ["Introduceți cel mult o zecimală."]
    assert whole.value.messages == ["Introduceți un număr întreg."]
    assert too_large.value.messages == ["Introduceți cel mult 2.147.483.647."]


def test_largest_number():
    assert largest_number(12, 3) == Decimal("999999999.999")
    assert largest_number(14, 2) == Decimal("999999999999.99")
    assert largest_number(5, 0) == Decimal("99999")


def admin_forms(request):
    """The form of every admin page and inline where staff can type (add or change)."""
    for model_admin in admin.site._registry.values():
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            yield model_admin, model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None) or inline.has_change_permission(request):
                yield inline, inline.get_formset(request).form


@pytest.mark.django_db
def test_every_number_field_the_staff_types_into_says_what_is_allowed(rf, staff):
    request = rf.get("/admin/")
    request.user = staff
    silent = []
    for model_admin, form_class in admin_forms(request):
        for name, field in form_class.base_fields.items():
            number = isinstance(field, forms.DecimalField | forms.IntegerField) and not field.disabled
            if number and number_limit_messages(field).keys() - field.error_messages.keys():
                silent.append(f"{type(model_admin).__name__}.{name}")
    assert not silent, f"add formfield_overrides = NUMBER_FIELD_OVERRIDES (portal.forms): {silent}"


# --- The admin in Romanian --------------------------------------------------------------------------


def english_msgids() -> set[str]:
    """Every msgid of Django's and allauth's catalogues (read from their en .po files)."""
    roots = [Path(django.__file__).parent, Path(allauth.__file__).parent]
    msgids = set()
    for root in roots:
        for po in root.glob("**/locale/en/LC_MESSAGES/*.po"):
            text = po.read_text(encoding="utf-8")
            for entry in re.finditer(r'^msgid(?:_plural)? ((?:"(?:[^"\\]|\\.)*"\s*)+)', text, re.M):
                msgids.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', entry.group(1))).replace('\\"', '"'))
    msgids.discard("")
    return msgids


class VisibleText(HTMLParser):
    """Text nodes and the attributes people read (or hear): title, aria-label, placeholder, alt."""

    def __init__(self):
        super().__init__()
        self.texts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "template")
        self.texts += [
            value for name, value in attrs if name in ("title", "aria-label", "placeholder", "alt") and value
        ]

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "template")

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def english_leftovers(html: str, english: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    # A msgid Romanian writes the same way ("Email", "WebAuthn", "English" in the language menu) is no leftover.
    return {
        text
        for text in parser.texts
        if (msgid := text.removesuffix(":")) in english and gettext(msgid) != msgid and msgid not in BOOLEAN_ICONS
    }


# Django writes the boolean icons' alt text in English, untranslated (admin_list._boolean_icon).
BOOLEAN_ICONS = {"True", "False", "None"}


def admin_pages(staff) -> list[str]:
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if model_admin.has_add_permission(type("Request", (), {"user": staff})()):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return pages


@pytest.mark.django_db
def test_the_admin_shows_no_english_leftovers(client, staff, admin_a, member_a):
    client.force_login(staff)
    english = english_msgids()
    leftovers = {}
    with translation.override("ro"):
        for url in admin_pages(staff):
            pages = [client.get(url, HTTP_ACCEPT_LANGUAGE="ro")]
            if url.endswith("/add/"):
                pages.append(client.post(url, {}, HTTP_ACCEPT_LANGUAGE="ro"))  # a form with errors
            for response in pages:
                assert response.status_code in (200, 302), url
                if found := english_leftovers(response.content.decode(), english):
                    leftovers[url] = sorted(found)
    assert not leftovers, leftovers


@pytest.mark.django_db
def test_every_field_the_admin_shows_has_a_romanian_name(rf, staff):
    """A field without verbose_name shows its attribute name in English ("Public id", "Created at")."""
    request = rf.get("/admin/")
    request.user = staff
    unnamed = []
    for model_admin, form_class in admin_forms(request):
        model = model_admin.model
        shown = {*form_class.base_fields, *model_admin.get_readonly_fields(request)}
        if isinstance(model_admin, admin.ModelAdmin):
            shown |= {name for name in model_admin.get_list_display(request) if isinstance(name, str)}
        for name in shown:
            field = next((f for f in model._meta.get_fields() if f.name == name), None)
            if (
                field is not None
                and getattr(field, "_verbose_name", "") is None
                and field.verbose_name == (name.replace("_", " "))
            ):
                unnamed.append(f"{model.__name__}.{name}")
    assert not unnamed, unnamed


@pytest.mark.django_db
def test_the_two_factor_methods_read_in_romanian(client, staff):
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    client.force_login(staff)
    with translation.override("ro"):
        page = client.get(reverse("admin:mfa_authenticator_changelist"), HTTP_ACCEPT_LANGUAGE="ro").content.decode()
    assert "Metode de autentificare în doi pași" in page
    assert "Folosită ultima dată la" in page
    assert "Authenticators" not in page
    assert "Last used at" not in page
