"""``filter_field`` draws list filters like crispy-bootstrap5 did, escapes what the visitor typed and
shows errors on the field."""

from django import forms
from django.template import Context, Template

from projects.forms import TaskFilterForm
from support.forms import TicketFilterForm

TEMPLATE = Template("{% load filter_forms %}{{ field|filter_field }}")


def draw(field) -> str:
    return TEMPLATE.render(Context({"field": field}))


def test_select_marks_the_chosen_option_and_keeps_labels():
    html = draw(TicketFilterForm({"status": "deschis"})["status"])
    assert '<label for="id_status" class="form-label">' in html
    assert '<select name="status" class="select form-select" id="id_status">' in html
    assert '<option value="deschis" selected>' in html
    assert html.count(" selected") == 1


def test_option_groups_are_kept():
    html = draw(TaskFilterForm({"status": "in_lucru"})["status"])
    assert "<optgroup label=" in html and '<option value="in_lucru" selected>' in html
    assert "form-select-sm w-auto" in html  # the widget's own classes stay


def test_what_the_visitor_typed_is_escaped():
    html = draw(TicketFilterForm({"q": '"><script>alert(1)</script>'})["q"])
    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'maxlength="100"' in html and 'type="text"' in html


def test_errors_are_shown_on_the_field():
    class PeriodForm(forms.Form):
        date_from = forms.DateField(label="De la", widget=forms.DateInput(attrs={"type": "date"}))

    form = PeriodForm({"date_from": "2026-13-01"})
    assert not form.is_valid()
    html = draw(form["date_from"])
    assert 'class="dateinput form-control is-invalid"' in html and 'aria-invalid="true"' in html
    assert 'aria-describedby="id_date_from_error"' in html and 'id="id_date_from_error"' in html
    assert form.errors["date_from"][0] in html


def test_checkbox_and_unbound_forms():
    class OnlyNew(forms.Form):
        noi = forms.BooleanField(label="Doar cele nedeschise", required=False)

    checked = draw(OnlyNew({"noi": "on"})["noi"])
    assert 'type="checkbox" name="noi" class="checkboxinput form-check-input" id="id_noi" checked' in checked
    assert '<label for="id_noi" class="form-check-label">Doar cele nedeschise</label>' in checked
    unchecked = draw(OnlyNew()["noi"])
    assert "checked" not in unchecked and "is-invalid" not in unchecked
