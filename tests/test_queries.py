import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from factories import new_article, new_author, new_tag

from articles.models import Article, Author, Tag
from sitewide.models import SiteSettings


def count_queries(client, url):
    cache.clear()  # A cold cache: nothing cached may hide a query that grows with the data.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def newest_year():
    return Article.objects.live().first().published_at.year


def build(articles):
    SiteSettings.load()  # The row exists on any running site (created on first use).
    authors = [new_author() for _ in range(3)]
    tags = [new_tag() for _ in range(4)]
    for number in range(articles):
        new_article(slug=f"a-{number}", author=authors[number % 3], tags=tags[: number % 4 + 1])
    return tags[0], authors[0]


@pytest.fixture
def site_with(db, made_once):
    # Each site is made once for the module and copied into each test that asks for it.
    return lambda articles: made_once(articles, lambda: build(articles))


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/ru/",
        "/en/posts/a-0/",
        "/en/tags/{tag}/",
        "/en/authors/{author}/",
        "/en/feed/",
        "/en/archive/",
        "/en/archive/{year}/",
        "/en/search/?q=article",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-tags.xml",
    ],
)
def test_pages_run_the_same_number_of_queries_for_3_and_30_articles(client, site_with, url):
    tag, author = site_with(3)
    small = count_queries(client, url.format(tag=tag.slug, author=author.slug, year=newest_year()))

    Article.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    tag, author = site_with(30)
    large = count_queries(client, url.format(tag=tag.slug, author=author.slug, year=newest_year()))
    assert small == large


def test_hub_query_budget(client, site_with, django_assert_max_num_queries):
    site_with(12)
    client.get("/en/")
    with django_assert_max_num_queries(4):
        client.get("/en/")


def test_article_query_budget(client, site_with, django_assert_max_num_queries):
    site_with(3)
    client.get("/en/posts/a-1/")
    with django_assert_max_num_queries(4):
        client.get("/en/posts/a-1/")
