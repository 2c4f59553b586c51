"""A site with a third edition, German, checked page type by page type; run by
tests/test_third_language.py in a process of its own (settings_third_language).

Makes the schema from the models, writes an article in German only, one in English and
German, one in English only, a series, a tag and an author, then reads every kind of public
address under /de/ with Django's test client. Prints one JSON object: the problems found
(empty when German is served like the two editions before it) and what was checked.
"""

import json
import os
import sys
import traceback
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

TESTS = Path(__file__).resolve().parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings_third_language")

import django  # noqa: E402
from lxml import etree  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"

problems = []
checked = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def make_site():
    from articles.models import Article, Author, Tag
    from series.models import Series, SeriesPart

    now = timezone.now()
    author = Author.objects.create(
        name="Greta Beispiel", slug="greta", bio_en="Writes.", bio_de="Schreibt über Datenbanken."
    )
    tag = Tag.objects.create(slug="datenbanken", name_en="Databases", name_de="Datenbanken")
    german = Article.objects.create(
        slug="nur-deutsch",
        author=author,
        status=Article.Status.PUBLISHED,
        published_at=now - timedelta(days=40),
        title_de="Verbindungspools richtig dimensionieren",
        summary_de="Die Größe des Pools folgt den Kernen der Datenbank.",
        body_de="## Messen\n\nZuerst messen, dann die Warteschlange verkleinern.",
    )
    both = Article.objects.create(
        slug="both-languages",
        author=author,
        status=Article.Status.PUBLISHED,
        published_at=now - timedelta(days=2),
        title_en="Vacuum and bloat",
        summary_en="Autovacuum falls behind on large tables.",
        body_en="## Why\n\nDead rows pile up.",
        title_de="Vacuum und Aufblähung",
        summary_de="Autovacuum kommt bei großen Tabellen nicht hinterher.",
        body_de="## Warum\n\nTote Zeilen häufen sich.",
    )
    english = Article.objects.create(
        slug="english-only",
        author=author,
        status=Article.Status.PUBLISHED,
        published_at=now - timedelta(days=1),
        title_en="Flame graphs",
        summary_en="Read them by width.",
        body_en="## Width\n\nNot position.",
    )
    for article in (german, both, english):
        article.tags.set([tag])
    series = Series.objects.create(
        slug="postgres", title_de="PostgreSQL im Betrieb", intro_de="Ein Leitfaden."
    )
    SeriesPart.objects.create(series=series, article=german, position=1)
    SeriesPart.objects.create(series=series, article=both, position=2)
    return {"german": german, "both": both, "english": english, "series": series, "tag": tag}


def fetch(client, path, content_type=None, status=200):
    checked.append(path)
    try:
        response = client.get(path)
    except Exception as error:  # reported with the others, not the first only
        frame = traceback.extract_tb(error.__traceback__)[-1]
        problems.append(f"{path}: {error!r} at {frame.filename}:{frame.lineno}")
        return None
    if not check(response.status_code == status, f"{path}: {response.status_code}"):
        return None
    if content_type:
        check(
            response["Content-Type"].startswith(content_type),
            f"{path}: Content-Type {response['Content-Type']}",
        )
    return response.content.decode()


def check_html(client, path, *texts):
    page = fetch(client, path, "text/html")
    if page is None:
        return None
    check('<html lang="de">' in page, f'{path}: no <html lang="de">')
    check('hreflang="de"' in page, f"{path}: no hreflang de alternate")
    for text in texts:
        check(text in page, f"{path}: does not show {text!r}")
    return page


def check_pages(client, site):
    german, both, series, tag = site["german"], site["both"], site["series"], site["tag"]
    hub = check_html(client, "/de/", german.title_de, both.title_de)
    if hub is not None:
        # The edition switcher offers German, named in its own language.
        check('lang="de" title="Deutsch"' in fetch(client, "/en/"), "/en/: no switch to Deutsch")
        check('property="og:locale" content="de_DE"' in hub, "/de/: og:locale is not de_DE")
    page = check_html(client, f"/de/posts/{german.slug}/", "Zuerst messen")
    if page is not None:
        check("<h1>Verbindungspools" in page, "German-only article: title not in German")
    check_html(client, f"/de/posts/{both.slug}/", "Tote Zeilen")
    # English-only: shown on the German edition in its original, marked as English, and
    # named as an alternate in English only.
    path = f"/de/posts/{site['english'].slug}/"
    page = fetch(client, path, "text/html")
    if page is not None:
        check('<html lang="de">' in page, f'{path}: no <html lang="de">')
        check('<div class="prose" lang="en">' in page, f"{path}: the text is not marked English")
        check('<link rel="alternate" hreflang="de"' not in page, f"{path}: hreflang de")
    check_html(client, "/de/series/", series.title_de)
    check_html(client, f"/de/series/{series.slug}/", "Ein Leitfaden.", german.title_de)
    check_html(client, "/de/tags/", "Datenbanken")
    check_html(client, f"/de/tags/{tag.slug}/", "Datenbanken", german.title_de)
    check_html(client, "/de/authors/", "Greta Beispiel")
    check_html(client, "/de/authors/greta/", "Schreibt über Datenbanken.", german.title_de)
    check_html(client, "/de/archive/", f'href="/de/archive/{german.published_at.year}/"')
    check_html(client, f"/de/archive/{german.published_at.year}/", german.title_de)
    check_html(client, "/de/newsletter/")
    # Found by a German word of its body, on the German edition.
    check_html(client, "/de/search/?q=Warteschlange", german.title_de)


def check_feeds(client, site):
    german, series, tag = site["german"], site["series"], site["tag"]
    feeds = {
        "": german.title_de,
        f"tags/{tag.slug}/": german.title_de,
        "authors/greta/": german.title_de,
        f"series/{series.slug}/": german.title_de,
    }
    for prefix, title in feeds.items():
        rss = fetch(client, f"/de/{prefix}feed/", "application/rss+xml")
        if rss is not None:
            check("<language>de</language>" in rss, f"/de/{prefix}feed/: no <language>de")
            check(title in rss, f"/de/{prefix}feed/: no German title")
        atom = fetch(client, f"/de/{prefix}feed/atom/", "application/atom+xml")
        if atom is not None:
            check('xml:lang="de"' in atom, f"/de/{prefix}feed/atom/: no xml:lang de")
            check(title in atom, f"/de/{prefix}feed/atom/: no German title")
        path = f"/de/{prefix}feed.json" if prefix else "/de/feed.json"
        data = fetch(client, path, "application/feed+json")
        if data is not None:
            feed = json.loads(data)
            check(feed.get("language") == "de", f"{path}: language {feed.get('language')!r}")
            titles = [item.get("title") for item in feed.get("items", [])]
            check(title in titles, f"{path}: no German title in {titles}")


def check_sitemap(client, site):
    text = fetch(client, "/sitemap.xml", "application/xml")
    if text is None:
        return
    pages = []
    for page in etree.fromstring(text.encode()).iter(f"{SITEMAP}loc"):
        address = urlsplit(page.text)
        found = fetch(client, f"{address.path}?{address.query}", "application/xml")
        if found is not None:
            pages.append(etree.fromstring(found.encode()))
    locations = [u.findtext(f"{SITEMAP}loc") for p in pages for u in p.iter(f"{SITEMAP}url")]
    hreflangs = {link.get("hreflang") for p in pages for link in p.iter(f"{XHTML}link")}
    for path in (
        "/de/",
        f"/de/posts/{site['german'].slug}/",
        f"/de/series/{site['series'].slug}/",
        f"/de/tags/{site['tag'].slug}/",
        "/de/authors/greta/",
    ):
        check(any(loc.endswith(path) for loc in locations), f"sitemap: no {path}")
    check("de" in hreflangs, f"sitemap: no hreflang de among {sorted(hreflangs)}")
    # Written in German only: no English or Russian address claims it.
    check(
        not any(loc.endswith(f"/en/posts/{site['german'].slug}/") for loc in locations),
        "sitemap: the German-only article listed under /en/",
    )


def check_elsewhere(client, site):
    """The translation note, the Content API, the fediverse account, the admin's desk."""
    from django.contrib.auth.models import User

    from federation.models import site_host

    both = site["both"]
    both.translation_behind_since = both.english_updated_at = timezone.now()
    both.save(update_fields=["translation_behind_since", "english_updated_at"])
    path = f"/de/posts/{both.slug}/"
    page = fetch(client, path, "text/html")
    if page is not None:
        check(
            f'<a href="/en/posts/{both.slug}/" hreflang="en">' in page,
            f"{path}: no link to the original behind the translation",
        )
    data = fetch(client, f"/api/v1/posts/{site['german'].slug}/?lang=de", "application/json")
    if data is not None:
        titles = [post.get("title") for post in json.loads(data).get("posts", [])]
        check(titles == [site["german"].title_de], f"API in German: {titles}")
    account = f"acct:blog_de@{site_host()}"
    fetch(client, f"/.well-known/webfinger?resource={account}", "application/jrd+json")

    admin = User.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)
    page = fetch(client, "/admin/articles/article/add/", "text/html")
    if page is not None:
        check('name="body_de"' in page, "admin: no German body field")
        check('data-language="de"' in page, "admin: no German writing desk")
    page = fetch(client, "/admin/articles/article/?q=Verbindungspools", "text/html")
    if page is not None:
        check(f"/{site['german'].pk}/change/" in page, "admin: search misses German titles")
    client.logout()


def main():
    check([code for code, _name in settings.LANGUAGES][-1] == "de", "settings have no German")
    call_command("migrate", run_syncdb=True, verbosity=0)
    site = make_site()
    client = Client()
    check_pages(client, site)
    check_feeds(client, site)
    check_sitemap(client, site)
    check_elsewhere(client, site)
    print(json.dumps({"problems": problems, "checked": checked}))


if __name__ == "__main__":
    main()
