"""Playwright in the system Chromium against pytest-django's live server.

Each page a test visits is checked with axe-core (no serious or critical violations)
and for Content-Security-Policy violations; screenshots go to screenshots/.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import require

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# The page's and the window's widths, and (to name the culprit) the first elements reaching past the window.
SIDEWAYS_SCROLL_JS = """() => ({
  page: document.documentElement.scrollWidth,
  window: window.innerWidth,
  wide: [...document.body.querySelectorAll("*")]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => !e.parentElement.closest(".table-responsive") || getComputedStyle(e).position === "absolute")
    .slice(0, 5)
    .map(e => [e.tagName.toLowerCase(), ...(e.id ? ["#" + e.id] : []), ...[...e.classList].map(c => "." + c)].join("")),
})"""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    require(executable is not None, "Chromium (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """A browser tab plus the checks every visited page gets."""

    def __init__(self, page, base_url: str, viewport: str):
        self.page, self.base_url, self.viewport = page, base_url, viewport
        self.csp_violations: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.csp_violations.append(message.text)

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()

    def check(self):
        """axe-core on the current page: no serious or critical violations; no CSP violation."""
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        results = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', "
            "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        bad = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"axe on {self.page.url}:\n{json.dumps(bad, indent=1, ensure_ascii=False)}"
        assert not self.csp_violations, f"CSP violations on {self.page.url}: {self.csp_violations}"
        if self.viewport == "phone":
            self.check_no_sideways_scroll()

    def check_no_sideways_scroll(self):
        """At phone width the page itself never scrolls sideways (a wide table scrolls inside its .table-responsive)."""
        widths = self.page.evaluate(SIDEWAYS_SCROLL_JS)
        assert widths["page"] <= widths["window"], f"{self.page.url} scrolls sideways at phone width: {widths}"

    def shot(self, name: str):
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{self.viewport}.png"), full_page=True)


@pytest.fixture(params=list(VIEWPORTS))
def visitor(request, browser, live_server):
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="ro-RO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Visitor(page, live_server.url, request.param)
    context.close()
