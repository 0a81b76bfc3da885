"""A list's filter form folded behind one "Filtre" button on a phone (templates/portal/_filter_panel.html)."""

import pytest
from django import forms
from django.template import engines
from django.test import RequestFactory

from portal.templatetags.filter_forms import active_filter_count

PAGE = """{% extends "portal/_list_page.html" %}
{% load filter_forms %}
{% block filter_label %}Filtru{% endblock %}
{% block filter_fields %}{{ filters.status|filter_field }}{{ filters.date_from|filter_field }}{% endblock %}"""


class ExampleFilters(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "toate"), ("open", "deschise")])
    date_from = forms.DateField(required=False)
    new = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=[("new", "noi"), ("old", "vechi")])
    page_size = forms.IntegerField(required=False, widget=forms.HiddenInput)


def render(query: dict, **context) -> str:
    request = RequestFactory().get("/lista/", query)
    filters = ExampleFilters(request.GET or None)
    return engines["django"].from_string(PAGE).render({"page": None, "filters": filters, **context}, request)


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({}, 0),
        ({"page": "2"}, 0),
        ({"sort": "old"}, 0),
        ({"page_size": "50"}, 0),
        ({"status": "open"}, 1),
        ({"status": "open", "date_from": "2026-01-01", "new": "on", "sort": "old"}, 3),
    ],
)
def test_active_filter_count_counts_set_filters_not_the_order_or_the_page(query, count):
    assert active_filter_count(ExampleFilters(query or None)) == count


def test_active_filter_count_of_no_form_is_zero():
    assert active_filter_count("") == 0


def test_the_form_stays_visible_without_javascript_the_button_hidden():
    html = render({})
    assert '<div id="filter-panel" class="filter-panel d-md-block">' in html
    assert 'aria-controls="filter-panel" hidden>' in html and 'aria-expanded="false"' in html
    assert '<form method="get" class="card card-body mb-3" aria-label="Filtru">' in html
    assert (
        html.index('id="filter-panel"')
        < html.index('<form method="get" class="card')
        < html.index('src="/static/js/filter-panel.js"')
    )


def test_the_button_counts_the_filters_in_use():
    assert "Filtre (2)" in render({"status": "open", "date_from": "2026-01-01", "sort": "old"})
    unfiltered = render({"sort": "old"})
    assert "Filtre\n</button>" in unfiltered and "Filtre (" not in unfiltered


def test_a_form_with_an_error_is_open_on_a_phone_too():
    html = render({"date_from": "not a date"})
    assert 'class="filter-panel d-md-block show"' in html and 'aria-expanded="true"' in html


def test_a_page_without_filters_draws_no_panel():
    page = """{% extends "portal/_list_page.html" %}{% block filters %}{% endblock %}"""
    html = engines["django"].from_string(page).render({"page": None}, RequestFactory().get("/lista/"))
    assert "filter-panel" not in html
