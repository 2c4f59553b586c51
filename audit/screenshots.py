"""`make screenshots`: every public page type at 375 and 1280 px wide, light and dark,
from a production-like local build, saved in screenshots/ to look at."""

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import ROOT, production_like_site

PAGES = {
    "hub": "/en/",
    "hub-ru": "/ru/",
    "article": "/en/posts/postgres-connection-pool-sizing/",
    "article-ru": "/ru/posts/postgres-connection-pool-sizing/",
    "article-ru-fallback": "/ru/posts/asyncio-backpressure/",
    "series-part": "/en/posts/postgres-production-vacuum-bloat/",
    "series-list": "/en/series/",
    "series-hub": "/ru/series/postgres-in-production/",
    "tag": "/en/tags/databases/",
    "author": "/en/authors/dmitry-volkov/",
    "search": "/en/search/?q=postgres",
    "newsletter": "/ru/newsletter/",
    "not-found": "/en/posts/no-such-article/",
}
WIDTHS = [375, 1280]
THEMES = ["light", "dark"]
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]  # fmt: skip


def main():
    out = ROOT / "screenshots"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    with production_like_site() as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        for theme in THEMES:
            for width in WIDTHS:
                page = browser.new_page(
                    viewport={"width": width, "height": 900}, color_scheme=theme
                )
                for name, path in PAGES.items():
                    page.goto(site + path)
                    page.screenshot(path=out / f"{name}-{width}-{theme}.png", full_page=True)
                page.close()
        browser.close()
    print(f"{len(PAGES) * len(WIDTHS) * len(THEMES)} screenshots in {out}")


if __name__ == "__main__":
    main()
