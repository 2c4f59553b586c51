"""Listings read only what a card shows: no query of a listing selects an article's body, its
rendered HTML, its table of contents, its search vectors or an author's pending edit."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from sitewide.models import SiteSettings
from tests.factories import new_article, new_author, new_series, new_tag

# An article column a card never shows, as it appears in a select list: `"body"`,
# `"body_html_ru"`, `"search_en"`…, after a table or alias (`T3."body"`).
LONG_COLUMN = re.compile(
    r'\."(body|body_html|toc_html)(_[a-z]{2})?"|\."(search_[a-z]{2}|translation_source|pending_changes)"'
)


def selected_long_columns(sql):
    """The long columns in the select list of each SELECT (not in its WHERE or joins)."""
    found = []
    for select in re.finditer(r"SELECT (.*?) FROM ", sql, flags=re.DOTALL):
        found += [match.group(0) for match in LONG_COLUMN.finditer(select.group(1))]
    return found


def queries(client, url, only_table=None):
    SiteSettings.load()
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [
        query["sql"]
        for query in captured.captured_queries
        if only_table is None or f'FROM "{only_table}"' in query["sql"]
    ]


def build_site():
    author = new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")
    tag = new_tag()
    series = new_series(parts=3, author=author)
    for _ in range(4):
        new_article(tags=[tag], author=author)
    Article.objects.update(title_ru="Статья", summary_ru="Кратко.", body_ru="## Раз\n\nТекст.")
    return tag, series


@pytest.fixture
def site(db, made_once):
    # Made once for the module and copied into each test that reads it.
    return made_once("site", build_site)


def test_the_check_sees_a_body_in_a_select_list():
    # The check must be able to fail: a full article row names its bodies.
    sql = str(Article.objects.all().query)
    assert selected_long_columns(sql)
    assert not selected_long_columns(str(Article.objects.for_cards().query))


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/ru/",
        "/en/?page=1",
        "/en/tags/{tag}/",
        "/en/authors/ada-writer/",
        "/en/series/{series}/",
        "/en/archive/{year}/",
    ],
)
def test_listings_read_no_long_column(client, site, url):
    tag, series = site
    year = Article.objects.live().first().published_at.year
    url = url.format(tag=tag.slug, series=series.slug, year=year)
    for sql in queries(client, url):
        assert selected_long_columns(sql) == [], sql


def test_search_results_read_only_the_rendered_body_for_their_snippets(client, site):
    for sql in queries(client, "/en/search/?q=article"):
        long = selected_long_columns(sql)
        assert all(re.fullmatch(r'\."body_html(_[a-z]{2})?"', column) for column in long), sql


def test_related_reading_reads_no_long_column(client, site):
    article = Article.objects.live().first()
    sqls = queries(client, f"/en/posts/{article.slug}/", only_table="articles_relatedarticle")
    assert sqls
    for sql in sqls:
        assert selected_long_columns(sql) == [], sql
