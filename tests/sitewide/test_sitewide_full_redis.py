"""A Redis out of memory (maxmemory reached, no eviction) fails open like a dead one: pages are
served, writes to the cache are dropped, and /healthz says the cache is failing."""

import shutil

import pytest
import redis
from redis_server import as_the_cache, redis_server

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


@pytest.fixture
def full_redis(settings, tmp_path):
    full = ("--maxmemory", "2mb", "--maxmemory-policy", "noeviction")
    with redis_server(tmp_path, *full) as (port, client):
        try:
            for number in range(10_000):
                client.set(f"filler:{number}", b"x" * 1024)
        except redis.exceptions.OutOfMemoryError:
            pass
        settings.CACHES = as_the_cache(port)
        yield


def test_a_full_redis_gives_pages_and_a_503_health_check(full_redis, client, live_article):
    from django.core.cache import cache

    cache.set("anything", "value")  # dropped, not raised
    assert client.get("/en/posts/pool-sizing/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["failed"] == ["cache"]


def test_a_change_while_redis_is_full_is_kept_until_it_is_delivered(
    full_redis, client, live_article, django_capture_on_commit_callbacks, settings
):
    from django.core.cache import cache

    from sitewide import pagecache
    from sitewide.models import PendingInvalidation
    from sitewide.tasks import deliver_invalidations

    settings.PAGE_CACHE_SECONDS = 600
    live_article.title_en = "Changed while Redis was full"
    with django_capture_on_commit_callbacks(execute=True):
        live_article.save()
    key = f"article:{live_article.pk}"
    pending = [row for row in PendingInvalidation.objects.all() if key in row.keys][-1]
    assert not pending.delivered
    assert pending.attempts == 1
    assert pending.error

    # A process that saw the cache fail answers nothing from it while the change waits.
    page = client.get("/en/posts/pool-sizing/")
    assert "Changed while Redis was full" in page.content.decode()
    assert pagecache.undelivered_changes()

    # A restart loses nothing: the change is a row, delivered once Redis takes writes again.
    pagecache._trusted_failures = 0
    cache._cache.get_client(write=True).config_set("maxmemory", "0")
    cache._down_until = 0.0
    PendingInvalidation.objects.update(retry_at=None)
    deliver_invalidations()
    assert not PendingInvalidation.objects.exists()
    assert not pagecache.undelivered_changes()
