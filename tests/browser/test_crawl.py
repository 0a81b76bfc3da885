"""A crawl of the client portal from the dashboard, as a client administrator with something in every section.

Every same-origin link is followed, keeping one page per URL route (a list and one of its detail pages,
not every detail page). Each page is checked at desktop and phone width by the Visitor (axe: no serious
or critical violation; no CSP violation; no sideways scroll on a phone), and for its language: no
English text of the catalogue on a Romanian page, no Romanian msgid of it on an English page (a text
that skipped gettext: hard-coded, or stored in Romanian).
"""

import gettext
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from billing.services import notice_create
from billing.tests.factories import issued_invoice, record_payment
from contracts.tests.factories import AnnexFactory, ContractFactory
from files.tests.factories import DocumentFactory, pdf_bytes, pdf_upload
from portal.models import Notification
from projects.tests.factories import CommentFactory, ProjectFactory, TaskFactory, days, link
from quotes.tests.factories import QuoteRequestFactory, sent_offer
from shipments.tests.factories import ShipmentFactory, ShipmentItemFactory, add_event
from support.tests.factories import MessageFactory, TicketFactory
from tests.browser.conftest import VIEWPORTS, Visitor
from tests.browser.test_accounts_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"  # compiled by make test
# Routes a crawl must not open: they log out, download a file, answer JSON, or change something on GET.
SKIPPED_ROUTE = re.compile(
    r"logout|pdf|xml|csv|xlsx|zip|download|descarca|attachment|preview|suggestions|product_search|health"
    r"|confirmation|notification_open|^admin:"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{[^}]*\}|<[^>]+>")
ROMANIAN_LETTERS = re.compile("[ăâîșțşţĂÂÎȘȚŞŢ]")
EDGE_PUNCTUATION = " .,:;!?()[]—–-/\"'„”«»…"
# The page's visible text, plus the texts a screen reader says that are not visible.
PAGE_TEXT_JS = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')].flatMap(
    e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) || ''))].join('\\n')"""
LINKS_JS = """() => [...document.querySelectorAll('a[href]:not([download])')].map(a => a.href)"""


# Amounts of a real order (six digits and more): the widths a phone must fit.
BIG_LINES = [
    {"description": "Stație de pompare SP-3 cu tablou de automatizare", "quantity": "2", "unit_price": "148500.00"},
    {"description": "Montaj și punere în funcțiune", "quantity": "1", "unit_price": "12400.00"},
]


def fake_pdf(html, *args, **kwargs) -> bytes:
    """A tiny PDF, a different one each time (a payment's proof is refused if sent twice)."""
    return pdf_bytes(uuid.uuid4().hex)


@pytest.fixture
def client_data(company_a, admin_a, staff):
    """Like a demo client: something in every section, made by the services where they notify the client
    (so the bell and the notifications page fill up). WeasyPrint is stubbed: the crawl opens no PDF."""
    with mock.patch("weasyprint.HTML.write_pdf", fake_pdf):
        request = QuoteRequestFactory(company=company_a, created_by=admin_a)
        sent_offer(company_a, by=staff, quote_request=request, lines=BIG_LINES)
        _project(company_a, admin_a)
        _invoices(company_a, admin_a)
        AnnexFactory(contract=ContractFactory(company=company_a))
        MessageFactory(ticket=TicketFactory(company=company_a, opened_by=admin_a), author=staff)
        _shipments(company_a)
        for number in range(12):
            DocumentFactory(company=company_a, user=staff, title=f"Fișă tehnică pompă CP-{200 + number}")
        oldest = Notification.objects.filter(user=admin_a).order_by("created_at").values("pk")[:4]
        Notification.objects.filter(pk__in=[row["pk"] for row in oldest]).update(read_at=timezone.now())
    return admin_a


def _project(company, admin):
    project = ProjectFactory(company=company)
    design = TaskFactory(project=project, title="Proiectare", status="finalizat", progress=100, start=days(-20))
    milestone = TaskFactory(project=project, title="Recepție", is_milestone=True, start=days(20), progress=0)
    link(design, milestone)
    CommentFactory(project=project, author=admin)


def _invoices(company, admin):
    """An overdue invoice with a payment announced and in verification, a paid one, an upcoming one."""
    today = timezone.localdate()
    late = issued_invoice(
        company,
        lines=[("3", "48500.00", 21), ("12", "1275.50", 21)],
        issue_date=today - timedelta(days=45),
        due_date=today - timedelta(days=15),
    )
    notice_create(
        company=company,
        user=admin,
        paid_on=today - timedelta(days=1),
        amount=Decimal("194575.26"),
        currency="RON",
        reference="BT-EXTRAS-4235",
        proof=pdf_upload("ordin-plata-BT-EXTRAS-4235.pdf"),
        invoices=[late],
        message="OP BT-EXTRAS-4235",
    )
    paid = issued_invoice(company, lines=[("2", "750.00", 21), ("1", "95.00", 11)])
    record_payment(company, "1920.45", invoices=[paid], reference="OP 1")
    issued_invoice(company, due_in=10)


def _shipments(company):
    """On the way, delivered and waiting for the client's receipt, and a failed delivery."""
    for status, note in (("in_tranzit", ""), ("livrata", ""), ("livrare_esuata", "Destinatar absent.")):
        shipment = ShipmentFactory(company=company)
        ShipmentItemFactory(shipment=shipment)
        add_event(shipment, "expediata", hours_ago=30)
        add_event(shipment, status, place="Hub Ștefăneștii de Jos", note=note)


# --- the catalogue's distinctive texts -----------------------------------------------------------------------


def fragments(text: str) -> list[str]:
    """The literal parts of a message between its placeholders and tags, whitespace collapsed."""
    parts = (" ".join(part.replace("%%", "%").split()).strip(EDGE_PUNCTUATION) for part in PLACEHOLDER.split(text))
    return [part for part in parts if part]


def distinctive(fragment: str, *, single_word_if_romanian: bool) -> bool:
    """Two words or more with 8 letters or more ("de la" is not enough), or a Romanian word with a
    Romanian letter ("plată"); a single English word may be Romanian too ("date", "client")."""
    letters = sum(ch.isalpha() for ch in fragment)
    if len(fragment.split()) >= 2:
        return letters >= 8
    return single_word_if_romanian and letters >= 5 and ROMANIAN_LETTERS.search(fragment) is not None


@cache
def catalogue_texts() -> tuple[frozenset[str], frozenset[str]]:
    """(Romanian msgids, English msgstrs) of the translated entries whose two sides differ: the texts that
    tell a page's language. A fragment found on both sides (a name, a code) tells nothing."""
    romanian, english = set(), set()
    with CATALOGUE.open("rb") as compiled:
        entries = gettext.GNUTranslations(compiled)._catalog  # msgid, or (msgid, plural form), to msgstr
    for key, translation in entries.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or not translation:
            continue  # the header
        romanian.update(fragments(msgid))
        english.update(fragments(translation))
    shared = romanian & english
    return (
        frozenset(f.casefold() for f in romanian - shared if distinctive(f, single_word_if_romanian=True)),
        frozenset(f.casefold() for f in english - shared if distinctive(f, single_word_if_romanian=False)),
    )


def foreign_texts(page, language: str) -> list[str]:
    """The catalogue texts of the other language found as whole words on the page, each in its context."""
    text = " ".join(page.evaluate(PAGE_TEXT_JS).split())
    folded = text.casefold()
    romanian, english = catalogue_texts()
    found = []
    for suspect in sorted(romanian if language == "en" else english):
        match = suspect in folded and re.search(rf"(?<!\w){re.escape(suspect)}(?!\w)", folded)
        if match:
            found.append(f"{suspect!r} in “…{text[max(match.start() - 40, 0) : match.end() + 40]}…”")
    return found


# --- the crawl -----------------------------------------------------------------------------------------------


def route_of(url: str, origin: str) -> tuple[str, str] | None:
    """(route name, path with query) of a same-origin page link the crawl may open; None otherwise."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        return None
    if SKIPPED_ROUTE.search(name):
        return None
    return name, parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(visitor: Visitor, on_page) -> tuple[dict[str, str], list[str]]:
    """From the dashboard, every route reachable by links, first URL of each; ``on_page(path)`` on each
    opened page returns its problems. Returns {route: path} of the HTML pages and all the problems.
    A link answering a file (a PDF whose route name does not say so) is left out."""
    origin = visitor.base_url
    queue, seen, pages, problems = [("dashboard:home", "/")], {"dashboard:home"}, {}, []
    while queue:
        route, path = queue.pop(0)
        response = visitor.page.goto(origin + path)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        pages[route] = path
        if response.status != 200:
            problems.append(f"{path}: {response.status}")
            continue
        problems += on_page(path)
        for url in visitor.page.evaluate(LINKS_JS):
            found = route_of(url, origin)
            if found and found[0] not in seen:
                seen.add(found[0])
                queue.append(found)
    return pages, problems


def page_problems(visitor: Visitor, path: str, language: str) -> list[str]:
    visitor.shot("crawl-" + (resolve(urlsplit(path).path).view_name.replace(":", "-")))
    problems = []
    try:
        visitor.check()
    except AssertionError as failure:
        problems.append(f"[{visitor.viewport}] {failure}")
    foreign = foreign_texts(visitor.page, language) + (menu_texts(visitor.page, language) if path == "/" else [])
    if foreign:
        problems.append(f"{path} ({language}) shows texts of the other language: {foreign}")
    return problems


def menu_texts(page, language: str) -> list[str]:
    """The header's dropdowns (the bell's, the account's), each opened in turn: a closed menu's text is not
    visible, and opening one closes the other. Only the texts the page did not show with them closed."""
    found = []
    closed = set(foreign_texts(page, language))
    for toggle in page.locator("header [data-bs-toggle=dropdown]").all():
        if toggle.is_visible():
            toggle.click()
            found += [text for text in foreign_texts(page, language) if text not in closed and text not in found]
            page.keyboard.press("Escape")
    return found


def test_every_page_passes_axe_in_romanian_at_both_widths(browser, live_server, client_data):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="ro-RO")
    visitor = Visitor(context.new_page(), live_server.url, "desktop")
    visitor.page.set_default_timeout(30_000)
    with mock.patch("weasyprint.HTML.write_pdf", fake_pdf):
        visitor.goto("/cont/login/")
        log_in(visitor, client_data.email)
        routes, problems = crawl(visitor, lambda path: page_problems(visitor, path, "ro"))
        assert len(routes) > 25, sorted(routes)
        visitor.viewport = "phone"
        visitor.page.set_viewport_size(VIEWPORTS["phone"])
        for path in routes.values():
            visitor.page.goto(live_server.url + path)
            problems += page_problems(visitor, path, "ro")
        assert not problems, "\n\n".join(problems)
    context.close()


def test_english_pages_show_no_romanian_catalogue_text(browser, live_server, client_data, staff):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="ro-RO")
    visitor = Visitor(context.new_page(), live_server.url, "desktop")
    page = visitor.page
    page.set_default_timeout(30_000)
    with mock.patch("weasyprint.HTML.write_pdf", fake_pdf):
        visitor.goto("/cont/login/")
        log_in(visitor, client_data.email)
        page.locator(".language-switcher button[value=en]").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"

        def english_only(path):
            found = foreign_texts(page, "en") + (menu_texts(page, "en") if path == "/" else [])
            return [f"{path} (en) shows Romanian texts of the catalogue: {found}"] if found else []

        routes, problems = crawl(visitor, english_only)
        assert len(routes) > 25, sorted(routes)
        context.clear_cookies()
        visitor.goto("/admin/")
        log_in(visitor, staff.email)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
        page.goto(live_server.url + "/admin/")
        assert page.locator("html").get_attribute("lang") == "en"
        admin_found = foreign_texts(page, "en")
        problems += [f"/admin/ (en) shows Romanian texts of the catalogue: {admin_found}"] if admin_found else []
        assert not problems, "\n\n".join(problems)
    context.close()
