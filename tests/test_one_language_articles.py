"""An article written in one language or both, on each edition: listed there (marked with its
own language where the edition's language is missing) or kept off it, on every page, feed,
the sitemap, search, the switcher and the newsletter.

Every case is an article of one KIND seen on one EDITION, listed there or kept off it.
"""

import json
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from factories import new_article, new_author, new_tag
from lxml import etree
from lxml import html as lxml_html
from sitemap_pages import whole_sitemap

from articles.models import Article
from newsletter.emails import issue_message
from newsletter.models import Issue, Subscriber
from series.models import Series, SeriesPart

LANGUAGES = [code for code, _name in settings.LANGUAGES]
FIRST, SECOND = LANGUAGES[:2]

# Each language's text (the only literals: fixtures).
TEXT = {
    "en": {"title": "Harbour lights", "summary": "Lanterns along the quay.", "word": "Lanterns"},
    "ru": {"title": "Огни гавани", "summary": "Фонари вдоль причала.", "word": "Фонари"},
}
KINDS = {f"{code}-only": (code,) for code in LANGUAGES[:2]} | {"bilingual": (FIRST, SECOND)}
CASES = [
    pytest.param((kind, edition, kept_off), id=f"{kind}-{'off' if kept_off else 'on'}-{edition}")
    for kind in KINDS
    for edition in LANGUAGES[:2]
    for kept_off in (False, True)
]  # fmt: skip

SLUG = "harbour"


def fields_for(languages):
    fields = {}
    for code in LANGUAGES:
        text = TEXT[code] if code in languages else {"title": "", "summary": ""}
        fields[f"title_{code}"] = text["title"]
        fields[f"summary_{code}"] = text["summary"]
        body = f"## {text['title']}\n\n{text['summary']}" if code in languages else ""
        fields[f"body_{code}"] = body
    return fields


class Case:
    def __init__(self, kind, edition, kept_off):
        self.languages, self.edition, self.kept_off = KINDS[kind], edition, kept_off
        self.exists = edition in self.languages
        self.listed = not kept_off
        # The text the edition shows: its own, else the article's first language's.
        self.shown = edition if self.exists else self.languages[0]
        self.original = self.languages[0]

    @property
    def url(self):
        return f"/{self.edition}/posts/{SLUG}/"

    @property
    def title(self):
        return TEXT[self.shown]["title"]


def make_case_rows(languages, edition, kept_off):
    author = new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")
    tag = new_tag(slug="harbours", name_en="Harbours", name_ru="Гавани")
    article = new_article(
        slug=SLUG,
        tags=[tag],
        author=author,
        hidden_languages=[edition] if kept_off else [],
        **fields_for(languages),
    )
    # A bilingual neighbour, listed everywhere: the tag, the author and related reading
    # always have something to show.
    new_article(
        slug="neighbour", tags=[tag], author=author, title_ru="Сосед", body_ru="Текст соседа."
    )
    return article


@pytest.fixture(params=CASES)
def case(request, db, made_once):
    # Each of the twelve cases is made once for the module and copied into each of its two
    # dozen tests (tests/conftest.py, made_once): making two articles is most of a test's time.
    kind, edition, kept_off = request.param
    case = Case(kind, edition, kept_off)
    case.article = made_once(
        request.param, lambda: make_case_rows(case.languages, edition, kept_off)
    )
    return case


LISTINGS = {
    "hub": "/{lang}/",
    "tag": "/{lang}/tags/harbours/",
    "author": "/{lang}/authors/ada-writer/",
    "archive year": "/{lang}/archive/{year}/",
    "related reading": "/{lang}/posts/neighbour/",
}
FEEDS = {
    "rss": "/{lang}/feed/",
    "atom": "/{lang}/feed/atom/",
    "json feed": "/{lang}/feed.json",
    "tag rss": "/{lang}/tags/harbours/feed/",
    "author atom": "/{lang}/authors/ada-writer/feed/atom/",
    "tag json feed": "/{lang}/tags/harbours/feed.json",
}


def get(client, path, case, status=200):
    response = client.get(path.format(lang=case.edition, year=case.article.published_at.year))
    assert response.status_code == status, path
    return response.content.decode()


@pytest.mark.parametrize("page", LISTINGS)
def test_listing_pages_list_it_only_where_it_is_listed_marked_with_its_language(client, case, page):
    html = get(client, LISTINGS[page], case)
    link = re.search(rf'<a href="{case.url}"([^>]*)>([^<]*)</a>(<abbr[^>]*>[^<]*</abbr>)?', html)
    assert bool(link) == case.listed
    if not case.listed:
        assert case.title not in html
        return
    attributes, title, badge = link.groups()
    assert title == case.title
    if case.exists:
        assert "lang=" not in attributes
        assert badge is None
    else:
        assert f'lang="{case.original}"' in attributes
        assert f">{case.original.upper()}</abbr>" in badge


@pytest.mark.parametrize("feed", FEEDS)
def test_feeds_carry_it_only_where_it_is_listed(client, case, feed):
    text = get(client, FEEDS[feed], case)
    assert (f"/{case.edition}/posts/{SLUG}/" in text) == case.listed
    assert (case.title in text) == case.listed


def test_a_json_feed_entry_names_the_language_of_its_text(client, case):
    feed = json.loads(get(client, FEEDS["json feed"], case))
    entries = [item for item in feed["items"] if item["url"].endswith(f"/posts/{SLUG}/")]
    assert len(entries) == case.listed
    if entries:
        assert entries[0]["language"] == case.shown
        assert entries[0]["title"] == case.title


def test_an_atom_entry_in_another_language_says_so(client, case):
    if not case.listed:
        pytest.skip("not in this feed")
    root = etree.fromstring(get(client, FEEDS["atom"], case).encode())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = root.xpath(f'//a:entry[a:link[contains(@href, "/posts/{SLUG}/")]]', namespaces=ns)[0]
    lang = entry.get("{http://www.w3.org/XML/1998/namespace}lang")
    assert lang == (None if case.exists else case.original)


def test_search_finds_it_in_the_language_it_shows_only_where_listed(client, case):
    word = TEXT[case.shown]["word"]
    html = get(client, "/{lang}/search/?q=" + quote(word), case)
    assert (case.url in html) == case.listed


def test_its_page_shows_its_own_text_or_says_where_it_is(client, case):
    status = 404 if not case.exists and case.kept_off else 200
    html = get(client, case.url, case, status=status)
    page = lxml_html.fromstring(html)
    original_url = f"/{case.original}/posts/{SLUG}/"
    if status == 404:
        # Never an empty page or an invented title: a link to the article where it is.
        link = page.xpath(f'//a[@href="{original_url}"]')[0]
        assert link.get("lang") == case.original
        assert link.text_content() == TEXT[case.original]["title"]
        return
    heading = page.xpath("//h1")[0]
    assert heading.text_content() == case.title
    robots = " ".join(page.xpath('//meta[@name="robots"]/@content'))
    assert ("noindex" in robots) == case.kept_off
    note = page.xpath('//p[contains(@class, "fallback-note")]')
    if case.exists:
        assert heading.get("lang") is None
        assert not note
    else:
        assert heading.get("lang") == case.original
        assert page.xpath(f'//div[@class="prose"][@lang="{case.original}"]')
        assert note
        canonical = page.xpath('//link[@rel="canonical"]/@href')[0]
        assert canonical == f"http://testserver{original_url}"


def test_its_page_names_only_the_languages_it_is_written_in_as_alternates(client, case):
    if not case.exists and case.kept_off:
        pytest.skip("a 404")
    page = lxml_html.fromstring(get(client, case.url, case))
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in page.xpath('//link[@rel="alternate"][@hreflang]')
    }
    assert set(alternates) == {*case.languages, "x-default"}
    assert alternates["x-default"] == f"http://testserver/{case.original}/posts/{SLUG}/"


def test_its_page_tells_search_engines_and_sharing_sites_the_language_of_its_text(client, case):
    if not case.exists and case.kept_off:
        pytest.skip("a 404")
    page = lxml_html.fromstring(get(client, case.url, case))
    posting = next(
        data
        for data in map(json.loads, page.xpath('//script[@type="application/ld+json"]/text()'))
        if data.get("@type") == "BlogPosting"
    )
    assert posting["inLanguage"] == case.shown
    locale = page.xpath('//meta[@property="og:locale"]/@content')[0]
    assert locale.lower().startswith(case.shown)
    image = page.xpath('//meta[@property="og:image"]/@content')[0]
    assert f"/article-{case.article.pk}-{case.shown}-" in image
    alternates = page.xpath('//meta[@property="og:locale:alternate"]/@content')
    assert sorted(code[:2].lower() for code in alternates) == sorted(
        code for code in case.languages if code != case.shown
    )


def test_the_sitemap_names_it_only_in_the_languages_it_is_written_in_and_listed(client, case):
    root = whole_sitemap(client)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    found = set(root.xpath("//s:url/s:loc/text()", namespaces=ns))
    for code in LANGUAGES[:2]:
        expected = code in case.languages and not (code == case.edition and case.kept_off)
        assert (f"http://testserver/{code}/posts/{SLUG}/" in found) == expected, code


def test_the_switcher_leads_to_the_article_or_to_the_hub_that_says_it_is_not_there(client, case):
    # From the article's page in its own language to the edition of this case.
    start = f"/{case.original}/posts/{SLUG}/"
    response = client.get(f"/i18n/switch/{case.edition}/", {"next": start})
    assert response.status_code == 302
    if case.exists or case.listed:
        assert response["Location"] == case.url
        return
    assert response["Location"] == f"/{case.edition}/?not_in_edition=1"
    hub = client.get(response["Location"]).content.decode()
    assert 'class="fallback-note not-in-edition-note"' in hub


def test_the_newsletter_for_a_reader_of_the_edition_follows_the_edition(case):
    reader = Subscriber.objects.create(
        email="reader@example.org", status="confirmed", language=case.edition
    )
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя")
    issue.articles.set([case.article])
    message = issue_message(issue, reader)
    html = message.alternatives[0][0]
    assert (case.title in html) == case.listed
    assert (case.title in message.body) == case.listed
    if case.listed and not case.exists:
        assert re.search(rf'<a [^>]*lang="{case.original}"[^>]*>{case.title}</a>', html)
        assert f">{case.original.upper()}</abbr>" in html
        assert f"{case.title} [{case.original.upper()}]" in message.body


def test_the_series_hub_says_a_part_is_missing_from_this_edition(client, case):
    series = Series.objects.create(slug="harbours", title_en="Harbours", title_ru="Гавани")
    SeriesPart.objects.create(series=series, article=case.article, position=1)
    page = lxml_html.fromstring(get(client, "/{lang}/series/harbours/", case))
    [part] = page.xpath('//li[@class="series-part"]')
    missing = part.xpath('.//p[@class="part-missing"]')
    if case.exists or case.listed:
        assert not missing
        assert part.xpath(f'.//a[@href="{case.url}"]')[0].text_content() == case.title
    else:
        link = missing[0].xpath("a")[0]
        assert link.get("href") == f"/{case.original}/posts/{SLUG}/"
        assert link.get("lang") == case.original


def test_kept_off_means_off_the_listings_whatever_the_language(make_article):
    make_article(slug="both", title_ru="Оба", body_ru="Текст.", hidden_languages=[SECOND])
    assert Article.objects.filter(hidden_languages__includes=SECOND).count() == 1


def test_the_content_api_serves_it_only_where_it_is_listed_naming_its_language(client, case):
    posts = json.loads(get(client, "/api/v1/posts/?lang={lang}", case))["posts"]
    found = [post for post in posts if post["slug"] == SLUG]
    assert len(found) == case.listed
    if found:
        assert found[0]["title"] == case.title
        assert found[0]["language"] == case.shown
    one = client.get(f"/api/v1/posts/{SLUG}/?lang={case.edition}")
    assert one.status_code == (200 if case.listed else 404)


def test_translation_drift_is_only_between_languages_that_exist(make_article):
    russian_first = make_article(slug="russian-first", **fields_for((SECOND,)))
    assert russian_first.translation_behind_since is None
    # English added later translates the Russian original: nothing is behind.
    russian_first.title_en, russian_first.body_en = "Harbour lights", "Lanterns."
    russian_first.save()
    assert russian_first.translation_behind_since is None
    assert russian_first.translation_source == russian_first.english_text()
    # From then on the English is followed as for any translated article.
    russian_first.body_en = "Lanterns, counted."
    russian_first.save()
    assert russian_first.translation_behind_since is not None


@pytest.mark.parametrize("edition", LANGUAGES[:2])
def test_a_series_and_a_tag_named_in_one_language_are_marked_on_the_other_edition(
    client, make_series, make_tag, make_article, author, edition
):
    own = SECOND if edition == FIRST else FIRST
    titles = {f"title_{code}": "" for code in LANGUAGES} | {f"title_{own}": TEXT[own]["title"]}
    series = make_series(parts=1, slug="one-language", **titles)
    names = {f"name_{code}": "" for code in LANGUAGES} | {f"name_{own}": TEXT[own]["word"]}
    tag = make_tag(slug="one-language", **names)
    series.parts.get().article.tags.add(tag)
    for path, name in [
        (f"/{edition}/series/", TEXT[own]["title"]),
        (f"/{edition}/series/one-language/", TEXT[own]["title"]),
        (f"/{edition}/tags/", TEXT[own]["word"]),
        (f"/{edition}/tags/one-language/", TEXT[own]["word"]),
    ]:
        page = lxml_html.fromstring(client.get(path).content.decode())
        [node] = page.xpath(f'//main//*[normalize-space(text())="{name}"]')
        # The language a reader's browser and screen reader take: the nearest lang attribute.
        assert node.xpath("ancestor-or-self::*[@lang][1]/@lang") == [own], path


def test_the_series_strip_leads_to_a_neighbour_where_the_reader_can_read_it(client, case):
    series = Series.objects.create(slug="harbours", title_en="Harbours", title_ru="Гавани")
    first = Article.objects.get(slug="neighbour")
    SeriesPart.objects.create(series=series, article=first, position=1)
    SeriesPart.objects.create(series=series, article=case.article, position=2)
    page = lxml_html.fromstring(get(client, "/{lang}/posts/neighbour/", case))
    [following] = set(page.xpath('//a[@rel="next"]/@href'))
    shown_here = case.exists or case.listed
    assert following == (case.url if shown_here else f"/{case.original}/posts/{SLUG}/")
