"""Page weight and origin budgets: CSS and JS under 40 KB compressed, nothing from another host."""

import gzip
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders

# What the browser fetches by itself: stylesheets, icons, scripts, images, frames.
ASSETS = [
    re.compile(r'<link\b[^>]*\brel="(?:stylesheet|icon|preload)"[^>]*\bhref="([^"]+)"'),
    re.compile(r'<(?:script|img|source|iframe)\b[^>]*\b(?:src|srcset)="([^"]+)"'),
]
STYLE_OR_SCRIPT = re.compile(
    r'<link rel="stylesheet" href="/static/([^"]+)"|<script src="/static/([^"]+)"'
)
BUDGET = 40 * 1024


def pages(client):
    # The demo site (`demo_content`: loaded once per session, copied in here).
    for url in [
        "/en/",
        "/ru/posts/postgres-connection-pool-sizing/",
        "/en/series/postgres-in-production/",
        "/en/newsletter/",
    ]:
        yield url, client.get(url).content.decode()


def test_css_and_js_of_every_page_stay_under_40_kb_compressed(client, demo_content):
    for url, html in pages(client):
        files = [css or js for css, js in STYLE_OR_SCRIPT.findall(html)]
        assert files, url
        size = sum(len(gzip.compress(Path(finders.find(f)).read_bytes(), 9)) for f in files)
        assert size < BUDGET, f"{url}: {size} bytes of CSS and JS"


def test_no_page_loads_anything_from_another_host(client, demo_content):
    for url, html in pages(client):
        for pattern in ASSETS:
            for address in pattern.findall(html):
                assert urlsplit(address.split()[0]).netloc in {"", "testserver"}, (url, address)
