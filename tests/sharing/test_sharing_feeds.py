"""Feeds: discoverable from their pages, full content with absolute links, read cleanly."""

import warnings

import feedparser
import pytest
from conftest import count_cold
from factories import new_article, new_author, new_series, new_tag
from lxml import html as lxml_html

FEEDS = [
    "/{lang}/feed/",
    "/{lang}/feed/atom/",
    "/{lang}/tags/databases/feed/",
    "/{lang}/tags/databases/feed/atom/",
    "/{lang}/series/guide/feed/",
    "/{lang}/series/guide/feed/atom/",
    "/{lang}/authors/ada-writer/feed/",
    "/{lang}/authors/ada-writer/feed/atom/",
]
PAGE_FEEDS = {
    "/{lang}/": ["/{lang}/feed/", "/{lang}/feed/atom/"],
    "/{lang}/tags/databases/": [
        "/{lang}/tags/databases/feed/",
        "/{lang}/tags/databases/feed/atom/",
    ],
    "/{lang}/series/guide/": ["/{lang}/series/guide/feed/", "/{lang}/series/guide/feed/atom/"],
    "/{lang}/authors/ada-writer/": [
        "/{lang}/authors/ada-writer/feed/",
        "/{lang}/authors/ada-writer/feed/atom/",
    ],
}


def ada():
    return new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")


def build_site():
    tag = new_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    series = new_series(parts=2, slug="guide", author=ada())
    for part in series.parts.all():
        article = part.article
        article.tags.add(tag)
        article.body_en = (
            "See [the next part](/en/posts/guide-part-2/) and [notes](#second).\n\n"
            "![A chart of latency](/media/demo/chart.png)"
        )
        article.summary_en = "Pools & queues: why <b>limits</b> matter"
        article.title_ru, article.body_ru = "Руководство, часть", "Русский текст."
        article.save()
    return series


@pytest.fixture
def site(db, made_once):
    # Made once for the module and copied into each of the thirty tests that read it.
    return made_once("site", build_site)


def build_counted_site():
    """A tag, a series of two and three articles, all Ada's."""
    author = ada()
    tag = new_tag(slug="databases")
    new_series(parts=2, slug="guide", author=author)
    for _ in range(3):
        new_article(tags=[tag], author=author)
    return author, tag


def add_articles(author, tag):
    """25 more of Ada's articles, each with a tag of its own too."""
    for _ in range(25):
        new_article(tags=[tag, new_tag()], author=author)


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return parsed


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("feed", FEEDS)
def test_feedparser_reads_every_feed_without_a_warning(client, site, feed, lang):
    parsed = parse(client, feed.format(lang=lang))
    assert parsed.entries
    assert parsed.feed.language == lang
    entry = parsed.entries[0]
    assert entry.author == "Ada Writer"
    assert entry.published_parsed
    assert entry.updated_parsed
    assert [tag.term for tag in entry.tags] == [{"en": "Databases", "ru": "Базы данных"}[lang]]


@pytest.mark.parametrize("feed", ["/en/feed/", "/en/feed/atom/"])
def test_entries_carry_the_whole_article_with_absolute_links(client, site, feed):
    entry = parse(client, feed).entries[0]
    content = entry.content[0].value
    tree = lxml_html.fromstring(content)
    assert tree.xpath("//a/@href")[:2] == [
        "http://testserver/en/posts/guide-part-2/",
        f"{entry.link}#second",
    ]
    assert tree.xpath("//img/@src") == ["http://testserver/media/demo/chart.png"]
    assert entry.link.startswith("http://testserver/en/posts/")


@pytest.mark.parametrize("feed", ["/en/feed/", "/en/feed/atom/"])
def test_the_summary_is_plain_text(client, site, feed):
    entry = parse(client, feed).entries[0]
    assert entry.summary == "Pools &amp; queues: why &lt;b&gt;limits&lt;/b&gt; matter"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_feeds_are_in_the_page_language(client, site, lang):
    rss = client.get(f"/{lang}/feed/").content.decode()
    assert f"<language>{lang}</language>" in rss
    atom = client.get(f"/{lang}/feed/atom/").content.decode()
    assert f'xml:lang="{lang}"' in atom
    if lang == "ru":
        assert "Русский текст." in rss


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("page", list(PAGE_FEEDS))
def test_every_page_links_its_own_feeds_in_head(client, site, page, lang):
    tree = lxml_html.fromstring(client.get(page.format(lang=lang)).content)
    links = tree.xpath('//head/link[@rel="alternate"][@type]')
    found = {(link.get("type"), link.get("href")) for link in links}
    rss, atom = (url.format(lang=lang) for url in PAGE_FEEDS[page])
    assert ("application/rss+xml", rss) in found
    assert ("application/atom+xml", atom) in found


@pytest.mark.parametrize("feed", FEEDS)
def test_feeds_run_a_constant_number_of_queries(client, db, made_once, feed):
    # Made once for the module (made_once) and copied in: the small site, then the 25 articles
    # made over it the first time.
    author, tag = made_once("small", build_counted_site)
    small = count_cold(client, feed.format(lang="en"))
    made_once("25 more", lambda: add_articles(author, tag))
    assert count_cold(client, feed.format(lang="en")) == small
