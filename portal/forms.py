from decimal import Decimal

from django import forms
from django.db import models
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.models import NotificationPreference
from portal.normalize import normalize_number
from portal.paging import with_old_parameter_names
from portal.topics import TOPIC_RIGHTS, Delivery, Topic


class QueryForm(forms.Form):
    """A filter form read from the query string, where a parameter's old name counts as its new one."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(with_old_parameter_names(data), *args, **kwargs)


class NotificationSettingsForm(forms.Form):
    """One choice per topic the member may receive: email now, in the daily digest, or never."""

    def __init__(self, *args, user, membership, **kwargs):
        super().__init__(*args, **kwargs)
        current = dict(NotificationPreference.objects.filter(user=user).values_list("topic", "delivery"))
        for topic in Topic:
            right = TOPIC_RIGHTS.get(topic)
            if right and not membership.has_right(right):
                continue
            self.fields[topic.value] = forms.ChoiceField(
                label=topic.label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=current.get(topic.value, Delivery.IMMEDIATE),
            )


def _number_in_locale(value, decimal_places: int | None) -> str:
    return formats.number_format(value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)


def _with_limit(message, limit, decimal_places: int | None):
    """``message`` with the limit written in the reader's language when the error is shown, not when the
    form class is built: "cel mult 999.999.999,999" in Romanian, "at most 999,999,999.999" in English."""
    return lazy(lambda: str(message) % {"limit": _number_in_locale(limit, decimal_places)}, str)()


def largest_number(max_digits: int, decimal_places: int) -> Decimal:
    """The largest value ``max_digits`` digits with ``decimal_places`` decimals hold: 12, 3 → 999999999.999."""
    return Decimal(10) ** (max_digits - decimal_places) - Decimal(10) ** -decimal_places


def number_limit_messages(field: forms.Field) -> dict:
    """Errors that say what a number field allows, instead of Django's count of digits ("nu sunt mai mult
    de 12 cifre în total"): the largest value for too many digits, the decimals allowed for too many
    decimals, the bound itself for too small or too large a value, each in the reader's locale."""
    places = getattr(field, "decimal_places", None)
    messages = {}
    if getattr(field, "max_digits", None) is not None:
        largest = largest_number(field.max_digits, places or 0)
        at_most = _with_limit(_("Introduceți cel mult %(limit)s."), largest, places)
        messages.update(max_digits=at_most, max_whole_digits=at_most)
    if places == 0:
        messages["max_decimal_places"] = _("Introduceți un număr întreg.")
    elif places is not None:
        # %(max)s is the DecimalValidator's own parameter: the decimals allowed.
        messages["max_decimal_places"] = ngettext_lazy(
            "Introduceți cel mult o zecimală.", "Introduceți cel mult %(max)s zecimale.", places
        )
    if field.min_value is not None:
        messages["min_value"] = _with_limit(_("Introduceți cel puțin %(limit)s."), field.min_value, places)
    if field.max_value is not None:
        messages["max_value"] = _with_limit(_("Introduceți cel mult %(limit)s."), field.max_value, places)
    return messages


def explain_number_limits(field: forms.Field) -> forms.Field:
    """Give a Decimal or Integer form field the messages of number_limit_messages(); messages the field
    was given by name (e.g. a quantity's own "min_value") stay."""
    field.error_messages = {**number_limit_messages(field), **field.error_messages}
    return field


class AmountField(forms.DecimalField):
    """A DecimalField that reads digits of any script or width and spaced thousands as typed
    (portal.normalize): ``１ ２３４,５６`` is 1234.56, the same as ``1234,56``. Its errors say what is
    allowed (explain_number_limits)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        explain_number_limits(self)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize_number(value)
        return super().to_python(value)


class WholeNumberField(forms.IntegerField):
    """An IntegerField whose errors say what is allowed (explain_number_limits)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        explain_number_limits(self)


# A ModelAdmin's or inline's formfield_overrides: the staff's number fields explain their limits too.
NUMBER_FIELD_OVERRIDES = {
    models.DecimalField: {"form_class": AmountField},
    models.IntegerField: {"form_class": WholeNumberField},
    models.BigIntegerField: {"form_class": WholeNumberField},
}
