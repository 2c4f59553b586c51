"""The state public-page caches are checked against: a content version that every change to
what pages show bumps, and the time the next scheduled article goes live.

Whole pages are cached in `sitewide.pagecache`; other apps call `bump_content_version()`
when something they put on public pages changes.
"""

import time

from django.core.cache import cache

VERSION_KEY = "pages:version"

_bump_pending = False

# Callables answering "when does the next scheduled item of yours go live?" (an aware datetime
# or None), registered by the content apps in their AppConfig.ready: this app imports none.
_schedules = []


def register_schedule(next_at):
    if next_at not in _schedules:
        _schedules.append(next_at)


def next_publication():
    """The earliest time a scheduled item goes live, or None.

    No cached copy of a page may live past it, so a scheduled article appears at its second.
    """
    times = [at for at in (next_at() for next_at in _schedules) if at is not None]
    return min(times, default=None)


def bump_content_version():
    """Every cached page becomes stale at once (they were stored under the old version)."""
    global _bump_pending
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        if not getattr(cache, "available", True):
            # The cache is down: bump as soon as it is back, or it would serve older pages.
            _bump_pending = True
            return
        # No version yet, so nothing is cached under one; a clock-based start never repeats.
        cache.add(VERSION_KEY, time.time_ns(), None)
    _bump_pending = False


def content_version_pending():
    """True while a change made during a cache outage has not reached the cache yet."""
    if _bump_pending:
        bump_content_version()
    return _bump_pending


def content_version():
    """The current version, or None when the cache cannot be reached or trusted yet."""
    if content_version_pending():
        return None
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version
