"""The list pages' shared layout (templates/portal/_list_page.html) and its {% capture %} tag."""

import pytest
from django.template import Context, Template, TemplateSyntaxError, engines
from django.test import RequestFactory

PAGE = """{% extends "portal/_list_page.html" %}
{% block h1 %}Titlu{% endblock %}
{% block heading_actions %}ACTIONS{% endblock %}
{% block intro_text %}Intro{% endblock %}
{% block filter_label %}Filtru{% endblock %}
{% block no_match_text %}Nimic{% endblock %}{% block no_match_link %}Toate{% endblock %}
{% block empty_icon %}bi-x{% endblock %}{% block empty_lead %}Gol{% endblock %}
{% block empty_text %}Încă nimic{% endblock %}"""


def render(source: str, **context) -> str:
    request = RequestFactory().get("/lista/", {"stare": "x"})
    return engines["django"].from_string(source).render(context, request)


def test_capture_renders_into_a_variable_not_the_page():
    html = Template("{% load capture %}[{% capture as x %} <b>{{ v }}</b> {% endcapture %}]{{ x }}").render(
        Context({"v": "<i>"})
    )
    assert html == "[]<b>&lt;i&gt;</b>"


def test_capture_needs_as_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load capture %}{% capture x %}{% endcapture %}")


def test_heading_is_a_flex_row_only_with_buttons():
    with_buttons = render(PAGE, page=None, is_filtered=False)
    assert '<h1 class="h3 mb-0">Titlu</h1>' in with_buttons and "ACTIONS" in with_buttons
    without = render(PAGE.replace("ACTIONS", ""), page=None, is_filtered=False)
    assert '<h1 class="h3 mb-3">Titlu</h1>' in without and '<h1 class="h3 mb-0">' not in without


def test_no_match_and_first_use_states_link_back_to_the_page_itself():
    filtered = render(PAGE, page=None, is_filtered=True)
    assert '<a class="btn btn-link" href="/lista/">' in filtered
    assert '<p class="lead mb-2">Nimic</p><a href="/lista/">Toate</a>' in filtered and "Încă nimic" not in filtered
    empty = render(PAGE, page=None, is_filtered=False)
    assert '<i class="bi bi-x text-primary mb-3"' in empty and "Încă nimic" in empty and "Nimic" not in empty
