"""Projects in Chromium, at desktop and phone width: the list, a seeded project, its Gantt chart
(drawn, hover details, switch to the table), the full-width chart and the conversation."""

import re

import pytest

from accounts.tests.factories import PASSWORD
from projects import demo
from projects.models import Comment, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK_BARS = "#gantt-chart .barlayer .trace:nth-child(2) path"


def log_in(visitor, email: str):
    page = visitor.page
    visitor.goto("/cont/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile("^Parol")).fill(PASSWORD)
    page.get_by_role("button", name="Logare").click()
    page.wait_for_load_state("load")


def wait_for_chart(page):
    page.wait_for_selector("#gantt-chart[data-gantt-ready='true']")


def hover_a_visible_bar(page):
    """Hover a task bar (the second bar trace; the first is the phases') inside the plotted range:
    on a phone the chart starts zoomed on the weeks around today."""
    index = page.evaluate(
        """() => {
        const area = document.querySelector('#gantt-chart .nsewdrag').getBoundingClientRect();
        const bars = Array.from(document.querySelectorAll(TASK_BARS));
        return bars.findIndex(bar => { const r = bar.getBoundingClientRect();
            return r.width > 3 && r.left >= area.left && r.right <= area.right; });
    }""".replace("TASK_BARS", repr(TASK_BARS))
    )
    assert index >= 0, "no task bar inside the plotted range"
    bar = page.locator(TASK_BARS).nth(index)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator("#gantt-chart .hoverlayer .hovertext")
    label.first.wait_for(state="visible")
    return label.first.text_content()


def assert_whole_labels_and_a_sticky_axis(page):
    """Every task's label is whole (wrapped, never cut with "…"), the first row starts at the top of the plot,
    and halfway down the chart the date axis is still in view, just under the page's sticky header."""
    labels = page.locator("#gantt-chart .textpoint").all_text_contents()
    assert len(labels) > 40 and not any("…" in label for label in labels)
    gap = page.evaluate(
        """() => {
        const plot = document.querySelector('#gantt-chart .nsewdrag').getBoundingClientRect();
        const first = document.querySelector('#gantt-chart .textpoint').getBoundingClientRect();
        return first.top - plot.top;
    }"""
    )
    assert 0 <= gap < 26, gap  # no empty band above the first row
    page.evaluate(
        "() => { const chart = document.getElementById('gantt-chart');"
        " window.scrollTo({top: chart.getBoundingClientRect().top + window.scrollY + chart.offsetHeight / 2,"
        " behavior: 'instant'}); }"  # Bootstrap's smooth scrolling would still be on its way
    )
    page.wait_for_timeout(200)
    header = page.locator(".portal-header").bounding_box()
    axis = page.locator("#gantt-axis").bounding_box()
    assert abs(axis["y"] - (header["y"] + header["height"])) < 2, (axis, header)
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")


def test_client_follows_a_project_on_its_gantt_chart(visitor, company_a, admin_a, staff):
    demo.seed({"companies": [company_a], "users": {}, "staff": staff})
    project = Project.objects.get(company=company_a, code="PRJ-2026-014")
    page = visitor.page
    log_in(visitor, admin_a.email)

    visitor.goto("/proiecte/")
    assert page.get_by_role("heading", name="Proiecte").is_visible()
    assert page.locator(".project-card").count() == Project.objects.filter(company=company_a).count()
    visitor.shot("projects-list")

    page.get_by_role("link", name=project.name).click()
    page.wait_for_url(re.compile(str(project.public_id)))
    wait_for_chart(page)
    visitor.check()
    assert page.get_by_role("heading", name=project.name).is_visible()
    assert page.get_by_text("Ioana Marinescu").first.is_visible()
    # The chart is drawn: task bars, milestone diamonds, dependency lines, the Romanian time axis.
    assert page.locator("#gantt-chart.js-plotly-plot .bars path").count() > 40
    assert page.locator("#gantt-chart .scatterlayer .point").count() > 5
    assert page.locator("#gantt-axis .xtick text").count() >= 3  # the dates are drawn in the sticky strip
    visitor.shot("project-detail")
    assert_whole_labels_and_a_sticky_axis(page)

    text = hover_a_visible_bar(page)
    assert re.search(r"Stare: (finalizat|în lucru|neînceput|în așteptare)", text), text
    page.locator(".gantt-card").screenshot(path=str(_shot_path(visitor, "project-gantt-hover")))

    chart_button = page.get_by_role("button", name="Diagramă")
    table_button = page.get_by_role("button", name="Tabel")
    assert chart_button.get_attribute("aria-pressed") == "true"
    table_button.click()
    assert table_button.get_attribute("aria-pressed") == "true"
    assert chart_button.get_attribute("aria-pressed") == "false"
    table = page.locator(".gantt-table")
    assert table.is_visible() and not page.locator("#gantt-chart").is_visible()
    assert table.get_by_role("rowheader", name="Pornirea în producție").is_visible()
    visitor.check()
    visitor.shot("project-gantt-table")
    chart_button.click()
    assert page.locator("#gantt-chart").is_visible() and not table.is_visible()

    # Sort the tasks table by progress, then show only the late ones.
    page.locator("#sarcini").get_by_role("link", name="Progres").click()
    page.wait_for_url(re.compile("sort=progres"))
    assert page.locator("#sarcini th[aria-sort=ascending]").inner_text().strip() == "Progres"
    page.locator("#sarcini select[name=status]").select_option("intarziate")
    page.locator("#sarcini").get_by_role("button", name="Aplică").click()
    page.wait_for_url(re.compile("status=intarziate"))
    visitor.check()
    assert page.locator("#sarcini tbody tr.table-danger").count() == page.locator("#sarcini tbody tr").count() > 0


def test_full_width_chart_and_conversation(visitor, company_a, admin_a, staff):
    demo.seed({"companies": [company_a], "users": {}, "staff": staff})
    project = Project.objects.get(company=company_a, code="PRJ-2026-021")
    page = visitor.page
    log_in(visitor, admin_a.email)

    visitor.goto(f"/proiecte/{project.public_id}/gantt/")
    wait_for_chart(page)
    visitor.check()
    assert page.locator("#gantt-chart .bars path").count() > 5
    visitor.shot("project-gantt-page")

    visitor.goto(f"/proiecte/{project.public_id}/discutie/")
    page.get_by_label("Mesajul dvs.").fill("Fundațiile sunt gata din 2 decembrie.")
    page.get_by_role("button", name="Trimite mesajul").click()
    page.wait_for_load_state("load")
    visitor.check()
    assert page.get_by_text("Mesajul a fost trimis managerului de proiect.").is_visible()
    assert page.get_by_text("Fundațiile sunt gata din 2 decembrie.").is_visible()
    assert Comment.objects.filter(project=project, author=admin_a).exists()
    visitor.shot("project-conversation")


def _shot_path(visitor, name):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}-{visitor.viewport}.png"
