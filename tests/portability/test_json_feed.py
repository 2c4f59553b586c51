"""JSON Feed 1.1 beside every RSS and Atom feed: valid against the published schema, live
articles only, discoverable from the pages, cached like them."""

import functools
import json
from pathlib import Path

import pytest
from factories import new_article, new_author, new_series, new_tag
from lxml import html as lxml_html

from articles.models import Article

# sonicdoe/jsonfeed-schema v0.5.0 (ISC licence), schema-v1.1.json, unchanged.
SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())


@functools.cache
def validator():
    # Imported here: jsonschema's format checkers build their grammars on import (a second of
    # CPU), which every xdist worker would pay while collecting, run these tests or not.
    from jsonschema import Draft7Validator

    return Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)


FEEDS = [
    "/{lang}/feed.json",
    "/{lang}/tags/databases/feed.json",
    "/{lang}/series/guide/feed.json",
    "/{lang}/authors/ada-writer/feed.json",
]
PAGE_FEEDS = {
    "/{lang}/": ["/{lang}/feed.json"],
    "/{lang}/tags/databases/": ["/{lang}/feed.json", "/{lang}/tags/databases/feed.json"],
    "/{lang}/series/guide/": ["/{lang}/feed.json", "/{lang}/series/guide/feed.json"],
    "/{lang}/authors/ada-writer/": ["/{lang}/feed.json", "/{lang}/authors/ada-writer/feed.json"],
    "/{lang}/posts/guide-part-1/": ["/{lang}/feed.json"],
}


def build_site():
    author = new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")
    tag = new_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    series = new_series(parts=2, slug="guide", author=author)
    for part in series.parts.all():
        article = part.article
        article.tags.add(tag)
        article.summary_en = "Pools & queues: why <b>limits</b> matter"
        article.title_ru, article.body_ru = "Руководство, часть", "Русский текст."
        article.save()
    for slug, fields in {
        "a-draft": {"status": Article.Status.DRAFT},
        "a-scheduled": {"published_at": article.published_at.replace(year=2999)},
    }.items():
        draft = new_article(slug=slug, title_en=f"Secret {slug}", author=author, **fields)
        draft.tags.add(tag)
    return series


@pytest.fixture
def site(db, made_once):
    # Made once for the module and copied into each of the two dozen tests that read it.
    return made_once("site", build_site)


def feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    return json.loads(response.content)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("url", FEEDS)
def test_every_json_feed_is_valid_against_the_schema(client, site, url, lang):
    document = feed(client, url.format(lang=lang))
    errors = [error.message for error in validator().iter_errors(document)]
    assert errors == []
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["language"] == lang
    assert document["feed_url"] == f"http://testserver{url.format(lang=lang)}"
    assert len(document["items"]) == 2


def test_the_schema_refuses_what_the_spec_refuses():
    # The schema is not a formality: a feed missing its items or with a bad date fails it.
    assert not validator().is_valid({"version": "https://jsonfeed.org/version/1.1", "title": "x"})
    item = {"id": "1", "content_html": "<p>x</p>", "date_published": "yesterday"}
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [item]}
    assert not validator().is_valid(document)


@pytest.mark.parametrize("url", FEEDS)
def test_drafts_and_scheduled_articles_never_appear(client, site, url):
    text = json.dumps(feed(client, url.format(lang="en")))
    assert "Secret" not in text
    assert "a-draft" not in text
    assert "a-scheduled" not in text


def test_items_carry_the_whole_article_and_a_plain_text_summary(client, site):
    item = feed(client, "/en/feed.json")["items"][0]
    assert item["id"] == item["url"] == "http://testserver/en/posts/guide-part-2/"
    assert item["summary"] == "Pools & queues: why <b>limits</b> matter"
    assert "<h2" in item["content_html"]
    assert item["authors"] == [
        {"name": "Ada Writer", "url": "http://testserver/en/authors/ada-writer/"}
    ]
    assert item["tags"] == ["Databases"]


def test_the_russian_feed_is_in_russian(client, site):
    document = feed(client, "/ru/feed.json")
    assert document["items"][0]["title"] == "Руководство, часть"
    assert document["items"][0]["tags"] == ["Базы данных"]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("page", PAGE_FEEDS)
def test_every_page_links_its_json_feeds_in_head(client, site, page, lang):
    response = client.get(page.format(lang=lang))
    tree = lxml_html.fromstring(response.content)
    links = tree.xpath('//head/link[@rel="alternate"][@type="application/feed+json"]/@href')
    assert links == [url.format(lang=lang) for url in PAGE_FEEDS[page]]
    for link in links:
        assert client.get(link).status_code == 200


def test_an_unknown_tag_has_no_json_feed(client, site):
    assert client.get("/en/tags/nothing-here/feed.json").status_code == 404


def test_json_feeds_are_cached_like_the_pages(
    client, site, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    first = client.get("/en/feed.json")
    assert first["X-Page-Cache"] == "miss"
    assert client.get("/en/feed.json")["X-Page-Cache"] == "hit"
    assert client.get("/en/feed.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # A withdrawn article leaves the cached feed at once.
    with django_capture_on_commit_callbacks(execute=True):  # committed, as a site makes it
        site.parts.first().article.unpublish()
    fresh = client.get("/en/feed.json")
    assert fresh["X-Page-Cache"] == "miss"
    assert len(json.loads(fresh.content)["items"]) == 1
