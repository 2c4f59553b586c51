"""Every change public pages show goes out as the one domain event, whoever makes it: a bulk
delete, the newsletter's reader count, a restore. Nobody bumps the page cache's version
by hand."""

import pytest
from django.core.cache import cache

from articles.models import Article
from newsletter.models import Subscriber
from portability.backup import after_restore
from sitewide.pagestore import SEQUENCE_KEY

pytestmark = pytest.mark.template_context  # reads response.context


@pytest.fixture
def versions():
    """How many invalidations the page cache took (each moves the sequence once)."""
    seen = []
    original = cache.incr

    def counting(key, *args, **kwargs):
        if key == SEQUENCE_KEY:
            seen.append(key)
        return original(key, *args, **kwargs)

    cache.incr = counting
    yield seen
    cache.incr = original


def test_a_bulk_delete_announces_each_article(
    events, make_article, django_capture_on_commit_callbacks
):
    articles = [make_article(), make_article()]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(pk__in=[a.pk for a in articles]).delete()
    assert {f"article:{a.pk}" for a in articles} <= events[0]


def test_a_new_reader_count_is_announced_after_the_commit(
    db, events, versions, django_capture_on_commit_callbacks
):
    Subscriber.objects.bulk_create(
        Subscriber(email=f"r{n}@example.com", status="confirmed") for n in range(8)
    )
    Subscriber.objects.create(email="ninth@example.com", status="confirmed")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        # The tenth: pages show "10+" from now on (no figure below ten).
        Subscriber.objects.create(email="tenth@example.com", status="confirmed")
    assert events == []
    assert versions == []  # not bumped by hand inside the transaction
    for callback in callbacks:
        callback()
    assert frozenset({"subscribers"}) in events


def test_a_restore_announces_that_anything_may_have_changed(
    db, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        after_restore()
    assert events == [frozenset({"all"})]


def test_an_article_save_moves_the_version_once_and_search_finds_it(
    client, versions, make_article, django_capture_on_commit_callbacks
):
    article = make_article(title_en="Connection pooling")
    versions.clear()
    article.title_en = "Vacuum tuning"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    assert len(versions) == 1
    found = client.get("/en/search/?q=vacuum").context["page"]
    assert [result.pk for result in found] == [article.pk]


def test_a_failed_search_refresh_still_drops_the_pages_and_is_retried(
    versions, make_article, monkeypatch
):
    from sitewide import tasks

    calls = []

    def flaky(keys):
        calls.append(keys)
        if len(calls) == 1:
            raise OSError("index locked")

    monkeypatch.setattr(tasks, "refreshes", lambda: [flaky])
    article = make_article()
    calls.clear()
    versions.clear()
    tasks.invalidate_pages.using(backend="changes").enqueue([f"article:{article.pk}"])
    # Bumped although the refresh failed, then retried by the queue: refreshed, bumped again.
    assert len(calls) == 2
    assert len(versions) == 2
