"""A change invalidates, and purges in front, exactly the pages that show it (issue 23).

Every test warms the same pages, makes one kind of change as an editor would (committed, so
what follows a change runs), then asks: the pages that show what changed are rendered again
(and were handed to the purger), the others are still answered from the cache with no query.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from articles.models import Article
from sitewide import pagestore
from sitewide.models import PageAddress, PendingInvalidation, SiteSettings
from sitewide.purge import Purger

PURGED = []
PURGED_KEYS = []


class RecordingPurger(Purger):
    def purge(self, keys, urls):
        PURGED.extend(urls)
        PURGED_KEYS.extend(keys)


@pytest.fixture(autouse=True)
def _page_cache_with_a_purger(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_PURGER = f"{__name__}.RecordingPurger"
    PURGED.clear()
    PURGED_KEYS.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def site(db, live_article, make_article, make_author, make_tag, make_series, committed):
    with committed():  # what follows the making of the site is done before the test
        SiteSettings.load()
        databases = make_tag(slug="databases", name_en="Databases")
        live_article.tags.set([databases])
        other = make_author(name="Bo Other", slug="bo-other")
        frontend = make_tag(slug="frontend", name_en="Frontend")
        make_article(title_en="Grid layouts", slug="grid", author=other, tags=[frontend])
        make_series(parts=2)
    return live_article


A = "/en/posts/pool-sizing/"
A_RU = "/ru/posts/pool-sizing/"
B = "/en/posts/grid/"
HUB = "/en/"
TAG_A = "/en/tags/databases/"
TAG_B = "/en/tags/frontend/"
AUTHOR_A = "/en/authors/ada-writer/"
AUTHOR_B = "/en/authors/bo-other/"
SERIES = "/en/series/guide/"
PART = "/en/posts/guide-part-2/"
PAGES = [A, A_RU, B, HUB, TAG_A, TAG_B, AUTHOR_A, AUTHOR_B, SERIES, PART]


def warm(client):
    for url in PAGES:
        client.get(url)
    assert {url: client.get(url)["X-Page-Cache"] for url in PAGES} == dict.fromkeys(PAGES, "hit")
    PURGED.clear()


def outcome(client, django_assert_num_queries):
    """{url: "hit" | "miss" | status} after the change; a hit runs no query."""
    found = {}
    for url in PAGES:
        response = client.get(url)
        if response.status_code != 200:
            found[url] = response.status_code
        elif response["X-Page-Cache"] == "hit":
            with django_assert_num_queries(0):
                assert client.get(url)["X-Page-Cache"] == "hit"
            found[url] = "hit"
        else:
            found[url] = "miss"
    return found


def purged_paths():
    return {url.split("testserver", 1)[1] for url in PURGED}


def check(client, django_assert_num_queries, changed_pages, gone=()):
    found = outcome(client, django_assert_num_queries)
    expected = {
        url: 404 if url in gone else "miss" if url in changed_pages else "hit" for url in PAGES
    }
    assert found == expected
    # The proxies are told of the same pages (and of none that still show the same).
    assert purged_paths() & set(PAGES) == set(changed_pages) | set(gone)
    assert not PendingInvalidation.objects.exists()


def test_an_edit_invalidates_the_article_and_the_lists_that_show_it(
    client, site, committed, django_assert_num_queries
):
    warm(client)
    site.title_en = "Pool sizing, revised"
    with committed():
        site.save()
    # The related reading of the series parts (same author) shows it too.
    check(client, django_assert_num_queries, {A, A_RU, HUB, TAG_A, AUTHOR_A, PART})


def test_unpublishing_takes_the_article_out_of_its_lists(
    client, site, committed, django_assert_num_queries
):
    warm(client)
    site.status = Article.Status.DRAFT
    with committed():
        site.save()
    # The series part's related reading showed it; the series page names the same author but
    # not the article (its author's list has a key of its own), so it stays cached.
    check(client, django_assert_num_queries, {HUB, AUTHOR_A, PART}, gone={A, A_RU, TAG_A})


def test_deleting_is_unpublishing(client, site, committed, django_assert_num_queries):
    warm(client)
    with committed():
        site.delete()
    # The series part's related reading showed it; the series page names the same author but
    # not the article (its author's list has a key of its own), so it stays cached.
    check(client, django_assert_num_queries, {HUB, AUTHOR_A, PART}, gone={A, A_RU, TAG_A})


@pytest.mark.related_reading
def test_publishing_touches_its_author_tags_and_lists_only(
    client, site, committed, make_article, django_assert_num_queries
):
    from articles.models import Author, Tag

    warm(client)
    with committed():
        make_article(
            title_en="Flexbox",
            author=Author.objects.get(slug="bo-other"),
            tags=[Tag.objects.get(slug="frontend")],
        )
    # The other article shares its author and tag: the worker ranks its related reading
    # again, which now shows the new one (`related:<pk>`). Pages that only name the author or
    # the tag (the series, the first article) stay cached.
    check(client, django_assert_num_queries, {HUB, TAG_B, AUTHOR_B, B})


@pytest.mark.related_reading
def test_scheduling_touches_the_same_pages_and_they_end_at_its_second(
    client, site, committed, make_article, clock, django_assert_num_queries
):
    from articles.models import Author, Tag

    warm(client)
    due = timezone.now() + timedelta(seconds=30)
    with committed():
        make_article(
            title_en="Coming soon",
            slug="soon",
            published_at=due,
            author=Author.objects.get(slug="bo-other"),
            tags=[Tag.objects.get(slug="frontend")],
        )
    check(client, django_assert_num_queries, {HUB, TAG_B, AUTHOR_B, B})
    clock.move_to(due)
    assert "Coming soon" in client.get(HUB).content.decode()
    assert "Coming soon" in client.get(TAG_B).content.decode()


def test_a_translation_invalidates_the_article_and_the_lists(
    client, site, committed, django_assert_num_queries
):
    warm(client)
    site.title_ru = "Размер пула"
    with committed():
        site.save()
    check(client, django_assert_num_queries, {A, A_RU, HUB, TAG_A, AUTHOR_A, PART})
    assert "Размер пула" in client.get(A_RU).content.decode()


def test_a_series_order_invalidates_the_series_and_its_parts(
    client, site, committed, django_assert_num_queries
):
    from series.models import Series

    warm(client)
    series = Series.objects.get()
    with committed():
        series.renumber(list(series.parts.order_by("-position")))
    found = outcome(client, django_assert_num_queries)
    assert found[SERIES] == found[PART] == found[HUB] == "miss"
    assert found[B] == found[TAG_B] == found[AUTHOR_B] == "hit"


def test_a_renamed_tag_invalidates_the_pages_that_name_it(
    client, site, committed, django_assert_num_queries
):
    from articles.models import Tag

    warm(client)
    tag = Tag.objects.get(slug="databases")
    tag.name_en = "Data stores"
    with committed():
        tag.save()
    found = outcome(client, django_assert_num_queries)
    assert found[TAG_A] == found[A] == "miss"
    assert found[B] == found[TAG_B] == found[AUTHOR_B] == found[SERIES] == "hit"
    assert "Data stores" in client.get(A).content.decode()


def test_an_author_bio_invalidates_the_authors_pages_only(
    client, site, committed, django_assert_num_queries
):
    warm(client)
    site.author.bio_en = "Now writes about queues."
    with committed():
        site.author.save()
    found = outcome(client, django_assert_num_queries)
    assert found[AUTHOR_A] == found[A] == "miss"
    assert found[B] == found[TAG_B] == found[AUTHOR_B] == "hit"


def test_site_settings_are_on_every_page(client, site, committed, django_assert_num_queries):
    warm(client)
    row = SiteSettings.load()
    row.name_en = "Renamed blog"
    with committed():
        row.save()
    check(client, django_assert_num_queries, set(PAGES))


def test_a_new_subscriber_figure_is_on_every_page(
    client, site, committed, django_assert_num_queries
):
    from newsletter.models import Subscriber, refresh_confirmed_count

    Subscriber.objects.bulk_create(
        Subscriber(email=f"r{n}@example.com", status="confirmed") for n in range(19)
    )
    refresh_confirmed_count()
    warm(client)
    with committed():
        Subscriber.objects.create(email="r19@example.com", status="confirmed")  # 10+ → 20+
    check(client, django_assert_num_queries, set(PAGES))
    warm(client)
    with committed():
        Subscriber.objects.create(email="r20@example.com", status="confirmed")  # still 20+
    check(client, django_assert_num_queries, set())


class FailingPurger(Purger):
    def purge(self, keys, urls):
        raise OSError("nginx is not answering")


def test_a_failed_purge_is_kept_logged_and_retried_and_never_blocks_the_save(
    client, site, committed, settings, caplog
):
    from sitewide.tasks import deliver_invalidations

    warm(client)
    settings.PAGE_PURGER = f"{__name__}.FailingPurger"
    site.title_en = "Saved while nginx was away"
    with committed():
        site.save()  # returns: the purge failed on the worker, not here
    # The page cache has the change already; only the proxy's purge waits.
    assert "Saved while nginx was away" in client.get(A).content.decode()
    [pending] = [
        row for row in PendingInvalidation.objects.all() if f"article:{site.pk}" in row.keys
    ]
    assert pending.delivered
    assert pending.attempts == 1
    assert "nginx is not answering" in pending.error
    assert A in {url.split("testserver", 1)[1] for url in pending.urls}
    assert "retrying" in caplog.text

    settings.PAGE_PURGER = f"{__name__}.RecordingPurger"
    PendingInvalidation.objects.update(retry_at=None)
    deliver_invalidations()
    assert not PendingInvalidation.objects.exists()
    assert A in purged_paths()


def forget_page_index(article):
    """An index that lost the article's pages (their rows expired, say): only the addresses the
    change names itself are left to purge."""
    keys = [f"article:{article.pk}", f"author:{article.author_id}", pagestore.EVERYTHING]
    keys += [f"tag:{pk}" for pk in article.tags.values_list("pk", flat=True)]
    keys += [f"list:{code}" for code, _name in settings.LANGUAGES]
    PageAddress.objects.filter(key__in=keys).delete()


def test_an_emptied_cache_loses_no_address_the_proxies_keep(client, site, committed):
    """Redis drops keys at random when full and forgets all on a restart; nginx keeps its
    copies for an hour. The addresses to purge are in the database, so a change still reaches
    every page that showed what changed, listings included."""
    warm(client)
    cache.clear()
    site.status = Article.Status.DRAFT
    with committed():
        site.save()
    assert {A, A_RU, HUB, TAG_A, AUTHOR_A} <= purged_paths()
    assert not {B, TAG_B, AUTHOR_B} & purged_paths()


def test_a_page_rendered_after_a_change_stays_indexed_for_the_next_one(client, site):
    warm(client)
    keys = [f"article:{site.pk}"]
    number = pagestore.sequence() + 1
    # The hub rendered again right after the change's sequence number was taken, before its
    # addresses were handed out: it shows the change, and must be purged by the next one.
    PageAddress.objects.filter(url__endswith=HUB).update(sequence=number)
    popped = {
        url.split("testserver", 1)[1] for url in pagestore.pop_urls([*keys, "list:en"], number)
    }
    assert A in popped
    assert HUB not in popped
    assert PageAddress.objects.filter(url__endswith=HUB).exists()


def test_a_page_whose_address_cannot_be_indexed_is_not_kept_long(client, site, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("the database refused the write")

    monkeypatch.setattr(PageAddress.objects, "bulk_create", fail)
    response = client.get(B)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    assert response["ETag"].endswith('-short"')
    assert "s-maxage=1" in response["Cache-Control"]
    assert client.get(B)["X-Page-Cache"] == "miss"  # not stored in the app's cache either


def test_addresses_no_proxy_keeps_any_more_are_dropped(client, site, clock):
    warm(client)
    assert PageAddress.objects.exists()
    clock.shift(timedelta(hours=3))
    pagestore.pop_urls(["nothing:1"], pagestore.sequence() + 1)
    assert not PageAddress.objects.exists()


def test_a_withdrawn_article_leaves_the_proxies_even_when_the_page_index_is_gone(
    client, site, committed
):
    warm(client)
    forget_page_index(site)
    site.status = Article.Status.DRAFT
    with committed():
        site.save()
    assert {A, A_RU} <= purged_paths()
    # Named to the purger as the change's own, which nginx's refreshes first.
    assert {f"address:{A}", f"address:{A_RU}"} <= set(PURGED_KEYS)


def test_a_renamed_article_leaves_the_proxies_at_its_old_address_too(client, site, committed):
    warm(client)
    forget_page_index(site)
    site.slug = "pool-sizing-revised"
    with committed():
        site.save()
    assert {A, A_RU, "/en/posts/pool-sizing-revised/"} <= purged_paths()


def test_the_proxies_are_purged_a_second_time_shortly_after(db, settings, clock):
    """A copy nginx was still writing when the first purge came is removed by the second."""
    from sitewide.tasks import SECOND_PURGE_SECONDS, deliver_invalidations

    settings.CONTENT_CHANGE_TASKS = "default"  # a queue that can run the second pass later
    page = "http://testserver/en/posts/pool-sizing/"
    PendingInvalidation.objects.create(keys=["article:1"], urls=[page])
    deliver_invalidations()
    assert [page] == PURGED
    [second] = PendingInvalidation.objects.all()
    assert second.delivered  # pages are answered from the cache meanwhile
    assert second.second_pass

    deliver_invalidations()  # too early: nothing
    assert [page] == PURGED
    clock.shift(timedelta(seconds=SECOND_PURGE_SECONDS))
    deliver_invalidations()
    assert [page, page] == PURGED
    assert not PendingInvalidation.objects.exists()  # and no third pass


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_deliver_the_same_change():
    """The page queue's worker and one that takes every queue may deliver at once: a row one
    of them holds is left to it, not delivered twice or failed over (row locks: PostgreSQL)."""
    import threading

    from django.db import connection, transaction

    from sitewide.tasks import deliver_invalidations

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: one writer at a time")
    page = "http://testserver/en/posts/pool-sizing/"
    row = PendingInvalidation.objects.create(keys=["article:1"], urls=[page])
    held, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                PendingInvalidation.objects.select_for_update().get(pk=row.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert held.wait(10)
        deliver_invalidations()
        assert PURGED == []
        assert PendingInvalidation.objects.get(pk=row.pk).attempts == 0
    finally:
        release.set()
        worker.join()
    deliver_invalidations()
    assert [page] == PURGED
    assert not PendingInvalidation.objects.exists()


SERIES_LIST = "/en/series/"


def warm_series_list(client):
    client.get(SERIES_LIST)
    assert client.get(SERIES_LIST)["X-Page-Cache"] == "hit"
    PURGED.clear()


def series_list_after(client, django_assert_num_queries):
    """ "hit" (answered with no query) or "miss"; and whether the proxies were told of it."""
    response = client.get(SERIES_LIST)
    if response["X-Page-Cache"] == "hit":
        with django_assert_num_queries(0):
            assert client.get(SERIES_LIST)["X-Page-Cache"] == "hit"
    return response["X-Page-Cache"], SERIES_LIST in purged_paths()


def test_a_publish_outside_any_series_leaves_the_series_list_cached(
    client, site, committed, make_article, django_assert_num_queries
):
    from articles.models import Author, Tag

    warm(client)
    warm_series_list(client)
    with committed():
        make_article(
            title_en="Flexbox",
            author=Author.objects.get(slug="bo-other"),
            tags=[Tag.objects.get(slug="frontend")],
        )
    assert series_list_after(client, django_assert_num_queries) == ("hit", False)
    # An edit of an article in no series neither.
    site.body_en = "A much longer body. " * 400
    with committed():
        site.save()
    assert series_list_after(client, django_assert_num_queries) == ("hit", False)


def test_a_series_change_invalidates_the_series_list(
    client, site, committed, make_article, make_series, django_assert_num_queries
):
    from articles.models import Article
    from series.models import Series, SeriesPart

    series = Series.objects.get()
    warm_series_list(client)
    with committed():
        series.renumber(list(series.parts.order_by("-position")))
    assert series_list_after(client, django_assert_num_queries) == ("miss", True)

    warm_series_list(client)
    part = Article.objects.get(slug="guide-part-1")
    part.body_en = "Longer. " * 2000  # its reading minutes are in the series' total
    with committed():
        part.save()
    assert series_list_after(client, django_assert_num_queries) == ("miss", True)

    # A series whose first part goes live appears in the list.
    with committed():
        other = Series.objects.create(slug="second", title_en="The second guide")
        draft = make_article(title_en="Second guide, part 1", status=Article.Status.DRAFT)
        SeriesPart.objects.create(series=other, article=draft, position=1)
    warm_series_list(client)
    assert "The second guide" not in client.get(SERIES_LIST).content.decode()
    draft.status = Article.Status.PUBLISHED
    with committed():
        draft.save()
    assert series_list_after(client, django_assert_num_queries) == ("miss", True)
    assert "The second guide" in client.get(SERIES_LIST).content.decode()
