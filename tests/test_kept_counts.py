"""A listing's length is counted once per change to the list, not on every render (issue 23):
a count that grows with the archive is not paid for by every uncached page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def counts(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    listed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    return [sql for sql in listed if '"articles_article"' in sql], response


@pytest.mark.parametrize("url", ["/en/", "/en/tags/databases/", "/en/authors/ada-writer/"])
def test_a_listing_counts_once_then_reuses_the_count(client, make_article, make_tag, author, url):
    tag = make_tag(slug="databases")
    for _ in range(12):
        make_article(author=author, tags=[tag])
    first, _response = counts(client, url)
    again, response = counts(client, url)
    assert len(first) == 1
    assert again == []
    assert 'href="?page=2"' in response.content.decode()


def test_a_publish_or_a_withdrawal_counts_again(client, make_article, author, committed):
    articles = [make_article(author=author) for _ in range(10)]
    assert 'href="?page=2"' not in client.get("/en/").content.decode()
    with committed():
        make_article(author=author)
    assert 'href="?page=2"' in client.get("/en/").content.decode()
    articles[0].status = Article.Status.DRAFT
    with committed():
        articles[0].save()
    assert 'href="?page=2"' not in client.get("/en/").content.decode()


def test_a_scheduled_article_is_counted_at_its_second(client, make_article, author, clock):
    for _ in range(10):
        make_article(author=author)
    due = timezone.now() + timedelta(seconds=5)
    make_article(author=author, published_at=due)
    assert 'href="?page=2"' not in client.get("/en/").content.decode()
    clock.move_to(due)
    assert 'href="?page=2"' in client.get("/en/").content.decode()


def test_untagging_counts_the_tag_again(client, make_article, make_tag, committed):
    tag = make_tag(slug="databases")
    tagged = [make_article(tags=[tag]) for _ in range(11)]
    assert 'href="?page=2"' in client.get("/en/tags/databases/").content.decode()
    with committed():
        tagged[0].tags.clear()
    assert 'href="?page=2"' not in client.get("/en/tags/databases/").content.decode()


def test_search_reads_the_kept_tags_and_series_and_sees_a_rename(
    client, make_article, make_tag, committed
):
    tag = make_tag(slug="pools", name_en="Pools")
    make_article(title_en="Pool sizing", tags=[tag])
    assert "Pools</a> (1)" in client.get("/en/search/?q=pools").content.decode()
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/search/?q=pools")
    # The result cards' tags are read; the live tags and series are not counted again.
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    tag.name_en = "Pools renamed"
    with committed():
        tag.save()
    assert "Pools renamed</a> (1)" in client.get("/en/search/?q=pools").content.decode()
    with committed():
        make_article(title_en="Pool limits", tags=[tag])
    assert "Pools renamed</a> (2)" in client.get("/en/search/?q=pools").content.decode()
