"""Romanian as the portal writes it: ș and ț with the comma below in every active message (Django's,
allauth's and ours), no English left in the admin."""

import re
from pathlib import Path

import django.contrib.admin
import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation.trans_real import DjangoTranslation

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
