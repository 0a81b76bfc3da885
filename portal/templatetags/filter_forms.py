"""``{{ form.field|filter_field }}``: a list page's filter field, in the markup crispy-bootstrap5 gives.

Every list page draws its filter form on every request; through crispy and Django's template-based widget
rendering (one template per <option>) it cost ~2 ms of a 10 ms page (docs/PERFORMANCE.md). The filter
forms only use selects, text/search/date inputs and checkboxes, which this draws directly. Other forms
(with files, formsets, help texts) keep crispy.
"""

from django import forms, template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _joined(parts) -> str:
    """Concatenate already-escaped fragments (format_html output) without escaping them again."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _options(choices, selected: str):
    def option(value, label):
        value = "" if value is None else str(value)
        return format_html('<option value="{}"{}>{}</option>', value, " selected" if value == selected else "", label)

    parts = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', value, _joined(option(v, lbl) for v, lbl in label))
            )
        else:
            parts.append(option(value, label))
    return _joined(parts)


def _attrs(attrs: dict) -> str:
    return format_html_join(
        "", ' {}="{}"', ((key, value) for key, value in attrs.items() if value is not None and value is not False)
    )


@register.filter
def filter_field(field: forms.BoundField):
    widget = field.field.widget
    errors = field.errors if field.form.is_bound else []
    attrs = {key: value for key, value in widget.attrs.items() if key != "class"}
    attrs["id"] = field.auto_id
    if errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    extra_class = widget.attrs.get("class", "")
    classes = (" is-invalid" if errors else "") + (f" {extra_class}" if extra_class else "")
    value = field.value()
    if isinstance(widget, forms.HiddenInput):
        return format_html('<input type="hidden" name="{}" value="{}"{}>', field.html_name, value or "", _attrs(attrs))
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(field, value, classes, attrs, _error_html(field, errors))
    label = format_html('<label for="{}" class="form-label">{}</label>', field.auto_id, field.label)
    if isinstance(widget, forms.Select):
        control = _select(field, value, classes, attrs)
    else:
        control = _input(field, value, classes, attrs)
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}</div>', field.auto_id, label, control, _error_html(field, errors)
    )


def _error_html(field: forms.BoundField, errors) -> str:
    if not errors:
        return ""
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field.auto_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((i, field.auto_id, error) for i, error in enumerate(errors, 1)),
        ),
    )


def _checkbox(field: forms.BoundField, value, classes: str, attrs: dict, error_html: str) -> str:
    checked = " checked" if field.field.to_python(value) else ""
    return format_html(
        '<div class="mb-3"><div id="div_{}" class="form-check"><input type="checkbox" name="{}" '
        'class="checkboxinput form-check-input{}"{}{}><label for="{}" class="form-check-label">{}</label>{}'
        "</div></div>",
        field.auto_id,
        field.html_name,
        classes,
        _attrs(attrs),
        checked,
        field.auto_id,
        field.label,
        error_html,
    )


def _select(field: forms.BoundField, value, classes: str, attrs: dict) -> str:
    selected = "" if value is None else str(value)
    return format_html(
        '<select name="{}" class="select form-select{}"{}>{}</select>',
        field.html_name,
        classes,
        _attrs(attrs),
        _options(field.field.choices, selected),
    )


def _input(field: forms.BoundField, value, classes: str, attrs: dict) -> str:
    widget = field.field.widget
    input_type = widget.attrs.get("type") or getattr(widget, "input_type", "text")
    attrs.pop("type", None)
    if getattr(field.field, "max_length", None):
        attrs.setdefault("maxlength", field.field.max_length)
    css = "dateinput" if input_type == "date" else "textinput"
    shown = widget.format_value(value)
    return format_html(
        '<input type="{}" name="{}"{} class="{} form-control{}"{}>',
        input_type,
        field.html_name,
        format_html(' value="{}"', shown) if shown not in (None, "") else "",
        css,
        classes,
        _attrs(attrs),
    )


@register.filter
def active_filter_count(form) -> int:
    """How many of a list's filters the query string sets ("Filtre (2)"); the order of the list is not a filter."""
    if not isinstance(form, forms.Form) or not form.is_bound:
        return 0
    return sum(
        1 for field in form if field.name != "sort" and not field.is_hidden and field.data not in (None, "", [], False)
    )
