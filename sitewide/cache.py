"""Redis as an accelerator, never a dependency: when it cannot be reached, reads miss and
writes are dropped, so pages are rendered uncached instead of failing with a 500.

`check()` is the one call that still raises: `/healthz` uses it to say the cache is down or
refuses writes (out of memory under `maxmemory-policy noeviction`).

Why not django-redis with IGNORE_EXCEPTIONS: it swallows every error on every call, so a dead
Redis costs a connect timeout per call (this backend skips Redis for RETRY_AFTER_SECONDS), and
it replaces Django's own RedisCache, which the rest of the site and its tests are written on.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Out of memory (maxmemory reached, no eviction) refuses writes: failing, for /healthz.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, OutOfMemoryError)
HEALTH_KEY = "healthz"
# After a failure, skip Redis for this long instead of paying a timeout on every call.
RETRY_AFTER_SECONDS = 2.0


class CacheUnavailableError(ValueError):
    """Raised by incr() when Redis is down; a ValueError, so callers that treat a missing
    key as "start again" keep working."""


class ReusedClientRedisCacheClient(RedisCacheClient):
    """One redis.Redis per connection pool instead of a new one for every cache call: building
    one costs about as much as a page-cache hit's whole round trip."""

    def get_client(self, key=None, *, write=False):
        clients = self.__dict__.setdefault("_clients", {})
        index = self._get_connection_pool_index(write)
        if index not in clients:
            clients[index] = super().get_client(key, write=write)
        return clients[index]


class FailOpenRedisCache(RedisCache):
    # How many calls failed in this process, whichever thread made them (Django gives each
    # thread its own cache object): the page cache asks the database whether a change is still
    # waiting to reach the cache whenever this has moved (pagecache.py), and each process's
    # memory of pages is emptied (localpages.py).
    failures = 0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0

    def check(self):
        """Raises when Redis does not answer or takes no writes; for the health check only."""
        client = self._cache.get_client(write=True)
        client.set(self.make_and_validate_key(HEALTH_KEY), b"1", ex=10)

    @property
    def available(self):
        return time.monotonic() >= self._down_until

    def _guard(self, method, default, *args, **kwargs):
        if not self.available:
            return default
        try:
            return method(*args, **kwargs)
        except OutOfMemoryError as error:
            # Reads still work; the write is dropped and /healthz says so.
            FailOpenRedisCache.failures += 1
            logger.warning("Cache full, not stored: %s", error)
            return default
        except UNREACHABLE as error:
            FailOpenRedisCache.failures += 1
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unreachable, serving uncached: %s", error)
            return default

    def get(self, key, default=None, version=None):
        return self._guard(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard(super().has_key, False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(super().set, None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set_many, list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().add, False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        self._guard(super().delete_many, None, keys, version)

    def clear(self):
        return self._guard(super().clear, False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._guard(super().incr, missing, key, delta, version)
        if value is missing:
            raise CacheUnavailableError("The cache is unreachable.")
        return value
