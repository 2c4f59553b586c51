"""A page stored in Redis is answered only while every version it recorded is current
(sitewide/pagestore.py `fetch`, which Redis checks in the same round trip).

Against a Redis server of the test's own: the suite's SQLite run has no Redis otherwise."""

import shutil

import pytest
from django.core.cache import cache

from sitewide import pagestore

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")

PAGE = "pages:en:test-page"


def store(keys):
    pagestore.sequence_started()
    versions = pagestore.current_versions(keys)
    pagestore.keep(PAGE, {"content": b"page", "modified": 1}, versions, 60)


def fresh():
    _sequence, entry = pagestore.fetch(PAGE)
    return entry is not None and not entry.get("stale")


def test_a_change_to_anything_it_shows_makes_it_stale(redis):
    store(["article:1", "tag:2", pagestore.EVERYTHING])
    assert fresh()
    pagestore.invalidate(["tag:2"])
    assert not fresh()
    assert not fresh()


def test_a_change_to_something_else_leaves_it_fresh(redis):
    store(["article:1", pagestore.EVERYTHING])
    assert fresh()
    pagestore.invalidate(["article:2"])
    assert fresh()


def test_a_lost_version_counts_as_a_change(redis):
    store(["article:1", "tag:2", pagestore.EVERYTHING])
    assert fresh()
    redis.delete(cache.make_and_validate_key(pagestore.version_key("tag:2")))
    assert not fresh()


@pytest.mark.parametrize("shown_now", [["article:1"], ["article:1", "tag:2", "series:3"]])
def test_a_page_stored_again_showing_other_things_is_checked_against_those(redis, shown_now):
    store(["article:1", "tag:2"])
    assert fresh()
    store(shown_now)
    assert fresh()
    pagestore.invalidate([shown_now[-1]])
    assert not fresh()


def test_a_redis_that_goes_away_gives_no_page(redis, settings):
    store(["article:1"])
    assert fresh()
    redis.shutdown(nosave=True)
    assert pagestore.fetch(PAGE) == (None, None)
