"""HTML → PDF with WeasyPrint, fetching nothing but our own static files.

User text reaches the PDF only through Django templates (autoescaped). The URL
fetcher refuses the network and the file system: a ``/static/...`` URL is looked up
through the staticfiles finders; anything else (http, file, ftp, ...) fails.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# A base URL that can never resolve, so relative URLs in templates land in our fetcher.
BASE_URL = "https://portal.invalid/"


class FetchRefused(ValueError):
    pass


def static_file_for(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "https" and parsed.netloc == "portal.invalid":
        path = unquote(parsed.path)
        if path.startswith(settings.STATIC_URL):
            relative = path[len(settings.STATIC_URL) :]
            if ".." not in Path(relative).parts:
                found = finders.find(relative)
                if found:
                    return Path(found)
                # DEBUG off: {% static %} gives the hashed name, which only collectstatic's output has.
                collected = Path(settings.STATIC_ROOT or "") / relative
                if settings.STATIC_ROOT and collected.is_file():
                    return collected
    raise FetchRefused(f"PDF rendering may not fetch {url!r}")


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file_for(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher(allowed_protocols=["https"], allow_redirects=False)


SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


def _use_own_fontconfig_if_missing() -> None:
    """Without a fontconfig configuration, fontconfig prints "Cannot load default config file" three times per
    PDF and WeasyPrint warns of ugly output (seed_demo printed about 25 lines); ours names our embedded fonts."""
    if "FONTCONFIG_FILE" not in os.environ and not SYSTEM_FONTCONFIG.is_file():
        os.environ["FONTCONFIG_FILE"] = str(Path(__file__).with_name("fonts.conf"))


def render_pdf(template: str, context: dict) -> bytes:
    _use_own_fontconfig_if_missing()
    # Imported here: WeasyPrint loads Pango, which only the PDF path needs.
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf()
