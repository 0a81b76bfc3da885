from django import forms

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


class AmountField(forms.DecimalField):
    """A DecimalField that reads digits of any script or width and spaced thousands as typed
    (portal.normalize): ``１ ２３４,５６`` is 1234.56, the same as ``1234,56``."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize_number(value)
        return super().to_python(value)
