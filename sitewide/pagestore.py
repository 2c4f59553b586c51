"""Which stored page shows what, so a change invalidates exactly the pages that show it.

While a page renders, it records the keys of what it shows, in the vocabulary of the
`content_changed` event (sitewide/changes.py): every announcing model instance it loads
(`article:42`, `tag:3`, `series:7`, `author:2`) by itself, and `list:<lang>` for any page that
lists the site's articles, which is every page that does not say otherwise
(`shows_only_what_it_loads`: an article, tag, author or series page, whose lists are keyed by
the tag, author or series they belong to: `tag-list:3`, `author-list:2`, `series:7`). A key
every page shows is `*` (the site settings, the subscriber count in the signup block):
invalidating it invalidates everything.

Each key has a version in the cache; a stored page keeps the versions it was rendered under
and is answered only while every one of them is still current. A change bumps the versions
of its keys, so exactly the pages that show it are stale, and a missing version (evicted by
Redis under memory pressure) counts as changed: losing part of the index can cost a render,
never show an old page. The proxies in front cannot check versions: for them the database
keeps the addresses of the pages that show each key (`PageAddress`, sitewide/purge.py), where
no eviction can lose one.
"""

import contextvars
import hashlib
import logging
import math
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_init
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string

from sitewide import localpages
from sitewide.cache import UNREACHABLE, CacheUnavailableError
from sitewide.changes import ADDRESS_PREFIX, ChangeAnnouncing

logger = logging.getLogger(__name__)

EVERYTHING = "*"
# The global version: bumping it makes every stored page stale (a restore, a new renderer).
VERSION_KEY = "pages:version"
# Bumped by every invalidation before the keys' versions: a page whose render overlapped one
# that touched what it shows is not stored, since it may show what was there before.
SEQUENCE_KEY = "pages:sequence"
# How long the addresses behind a key are kept for purging: as long as a proxy may keep a page.
URL_INDEX_SLACK_SECONDS = 60
# Each invalidation's keys are kept this long, so that a render it overlapped can tell whether
# it showed any of them; more steps than this during one render and the page is not stored.
LOG_SECONDS = 300
MAX_LOGGED_STEPS = 20

_shown = contextvars.ContextVar("page_shows", default=None)


class Recording:
    """What one render shows: `with Recording() as shown: ...`."""

    def __init__(self):
        self.keys = set()
        self.lists = True
        self._token = None

    def __enter__(self):
        self._token = _shown.set(self)
        return self

    def __exit__(self, *exc):
        _shown.reset(self._token)


def shows(*keys):
    """Records keys the page being rendered shows (outside a render, nothing happens)."""
    recording = _shown.get()
    if recording is not None:
        recording.keys.update(keys)


def shows_only_what_it_loads():
    """Says the page being rendered lists nothing site-wide: only the objects it loads (and
    the lists of the tag, author or series it loads) make it stale."""
    recording = _shown.get()
    if recording is not None:
        recording.lists = False


@receiver(post_init, dispatch_uid="page-records-what-it-loads")
def _loaded(sender, instance, **kwargs):
    recording = _shown.get()
    if recording is not None and isinstance(instance, ChangeAnnouncing) and instance.pk:
        recording.keys.update(instance.shown_keys())


def version_key(key):
    return VERSION_KEY if key == EVERYTHING else f"pages:v:{key}"


def current_versions(keys):
    """{version key: version} for keys, each started (at a value never used before) when
    missing."""
    names = [version_key(key) for key in keys]
    found = cache.get_many(names)
    missing = [name for name in names if found.get(name) is None]
    for name in missing:
        # A clock start: a version that was evicted and started again never repeats one an
        # older page recorded.
        cache.add(name, time.time_ns(), None)
    if missing:
        found.update(cache.get_many(missing))
    return {name: found.get(name) for name in names}


def is_current(versions):
    """True while every version a stored page recorded is still the current one."""
    if not versions:
        return False
    found = cache.get_many(list(versions))
    return all(found.get(name) == value for name, value in versions.items())


def sequence():
    return cache.get(SEQUENCE_KEY)


def sequence_started():
    """The sequence, started (at a value never used before) when missing; None when the
    cache is away."""
    found = cache.get(SEQUENCE_KEY)
    if found is None:
        cache.add(SEQUENCE_KEY, time.time_ns(), None)
        found = cache.get(SEQUENCE_KEY)
    return found


def indexes_addresses():
    """Whether stored pages are indexed by address: only for a purger that purges addresses
    (nginx's); a CDN purges by the keys the page carries in a header."""
    path = getattr(settings, "PAGE_PURGER", "")
    return bool(path) and getattr(import_string(path), "by_address", True)


def index_urls(keys, url, seconds, started):
    """Remembers that the page at `url`, rendered from sequence number `started`, shows
    `keys`, for purging the proxies in front; False when it could not be written (then the
    page must not be kept long anywhere)."""
    if not indexes_addresses():
        return True
    from sitewide.models import PageAddress

    digest = hashlib.sha256(url.encode()).hexdigest()
    expires_at = timezone.now() + timedelta(seconds=seconds)
    rows = [
        PageAddress(key=key, url=url, url_digest=digest, sequence=started, expires_at=expires_at)
        for key in sorted(keys)
    ]
    try:
        with transaction.atomic():
            PageAddress.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["key", "url_digest"],
                update_fields=["sequence", "expires_at"],
            )
    except DatabaseError as error:
        logger.warning("Page index not stored: %s", error)
        return False
    return True


def pop_urls(keys, number):
    """The addresses of the pages showing any of keys that were rendered before invalidation
    `number` (they may show what it changed), forgotten as they are handed out. A page whose
    render started after it shows the change, so it stays indexed for the next one."""
    if not indexes_addresses():
        return set()
    from sitewide.models import PageAddress

    now = timezone.now()
    with transaction.atomic():
        # Locked, so a page stored meanwhile under the same address waits, then is indexed
        # anew rather than lost with the rows handed out (PostgreSQL).
        rows = PageAddress.objects.select_for_update().filter(key__in=keys, sequence__lt=number)
        urls = {url for url, until in rows.values_list("url", "expires_at") if until > now}
        rows.delete()
        # Pages no proxy keeps any more: nothing to purge.
        PageAddress.objects.filter(expires_at__lte=now).delete()
    return urls


def invalidate(keys):
    """Makes every stored page showing any of keys stale; returns their addresses for the
    proxies. Raises CacheUnavailableError when the cache cannot take it (retry later)."""
    # A change's own addresses are for the proxies (sitewide/purge.py), not versions.
    keys = sorted({key for key in keys if not key.startswith(ADDRESS_PREFIX)})
    if not keys:
        return set()
    if not getattr(cache, "available", True):
        raise CacheUnavailableError("The cache is unreachable.")
    try:
        number = _bump(SEQUENCE_KEY)
        # Which keys this step of the sequence changed: a render it overlapped that shows none
        # of them may still be stored.
        cache.set(log_key(number), keys, LOG_SECONDS)
        _bump_versions(number, [version_key(key) for key in keys])
        return pop_urls(keys, number)
    except (*UNREACHABLE, ValueError) as error:
        # ValueError: a version that could not be started (Redis full) cannot be bumped.
        raise CacheUnavailableError(str(error)) from error


def _bump(name):
    cache.add(name, time.time_ns(), None)
    return cache.incr(name)


def _bump_versions(number, names):
    """Bumps the versions and tells every process that keeps pages in its memory
    (sitewide/localpages.py), in one Redis transaction: a bump no process hears of, which a
    failure between the two would leave, cannot happen."""
    raw = _raw()
    if raw is None:
        for name in names:
            _bump(name)
        return
    client, _serializer = raw
    with client.pipeline(transaction=True) as pipe:
        for name in names:
            made = cache.make_and_validate_key(name)
            # A clock start when missing, as `_bump` does.
            pipe.set(made, time.time_ns(), nx=True)
            pipe.incr(made)
        pipe.publish(localpages.channel(), localpages.message(number, names))
        pipe.execute()


def log_key(number):
    return f"pages:log:{number}"


def unchanged_since(start, keys):
    """True when no invalidation since sequence number `start` touched any of keys (an
    invalidation whose keys are not known yet counts as touching them)."""
    now = sequence()
    if now == start:
        return True
    if start is None or now is None or not 0 < now - start <= MAX_LOGGED_STEPS:
        return False
    names = [log_key(number) for number in range(start + 1, now + 1)]
    found = cache.get_many(names)
    return len(found) == len(names) and not any(set(logged) & keys for logged in found.values())


KEPT_SECONDS = 3600


def kept(name, keys, compute):
    """`compute()` (a list's count, say), worked out once per version of `keys` and kept until
    one of them changes or the next scheduled publication, whichever comes first: a count
    that grows with the archive is not paid for on every render."""
    from sitewide.pagecache import next_publication_timestamp

    versions = current_versions(keys)
    if None in versions.values():
        return compute()  # the cache is away: nothing can be trusted to be current
    now = time.time()
    lifetime = min(KEPT_SECONDS, next_publication_timestamp(sequence(), now) - now)
    if lifetime < 1:
        return compute()
    signature = repr(sorted(versions.items())).encode()
    key = f"kept:{name}:{hashlib.md5(signature, usedforsecurity=False).hexdigest()}"
    found = cache.get(key)
    # Its end is checked here too, not left to the cache's expiry alone (another clock).
    if found is not None and found[1] > now:
        return found[0]
    value = compute()
    cache.set(key, (value, now + lifetime), math.floor(lifetime))
    return value


# A stored page and the check of its versions, in one round trip: Redis compares each version
# the page recorded (kept beside it as "key value key value …") with the current one and says
# whether all still hold. KEYS: the sequence, the page, its check.
LOOKUP_SCRIPT = """
local sequence = redis.call('GET', KEYS[1])
local page = redis.call('GET', KEYS[2])
local check = redis.call('GET', KEYS[3])
if not page then return {sequence, false, 0} end
if not check then return {sequence, page, 0} end
local name = nil
for word in string.gmatch(check, '%S+') do
  if name == nil then
    name = word
  else
    if redis.call('GET', name) ~= word then return {sequence, page, 0} end
    name = nil
  end
end
return {sequence, page, 1}
"""


def _raw():
    """(redis client, serializer) when the cache is Redis, else None."""
    inner = getattr(cache, "_cache", None)
    if not hasattr(inner, "get_client") or not getattr(cache, "available", True):
        return None
    return inner.get_client(write=True), inner._serializer


def fetch(page_key):
    """(sequence, stored page if every version it recorded is current, else None).

    With Redis, one round trip; elsewhere (tests' local memory), two."""
    raw = _raw()
    if raw is None:
        found = cache.get_many([SEQUENCE_KEY, page_key])
        entry = found.get(page_key)
        if entry is not None and not is_current(entry.get("versions")):
            entry = {"modified": entry["modified"], "stale": True}
        return found.get(SEQUENCE_KEY), entry
    client, serializer = raw
    keys = [cache.make_and_validate_key(name) for name in (SEQUENCE_KEY, page_key)]
    keys.append(keys[1] + ":check")

    sequence, blob, current = guarded(lambda: client.eval(LOOKUP_SCRIPT, 3, *keys), [None, None, 0])
    entry = serializer.loads(blob) if blob else None
    if entry is not None and not current:
        # Kept only for its date: the next copy must look newer than this one.
        entry = {"modified": entry["modified"], "stale": True}
    return (int(sequence) if sequence is not None else None), entry


def guarded(call, default):
    """A raw Redis call that fails open like every other cache call."""
    guard = getattr(cache, "_guard", None)
    return guard(call, default) if guard else call()


def keep(page_key, entry, versions, seconds):
    """Stores the page and, beside it, the check of its versions that `fetch` runs."""
    raw = _raw()
    if raw is None:
        cache.set(page_key, {**entry, "versions": versions}, seconds)
        return
    client, serializer = raw
    name = cache.make_and_validate_key(page_key)
    check = " ".join(
        f"{cache.make_and_validate_key(key)} {value}" for key, value in versions.items()
    )

    def run():
        with client.pipeline(transaction=True) as pipe:
            pipe.set(name, serializer.dumps({**entry, "versions": versions}), ex=seconds)
            pipe.set(name + ":check", check, ex=seconds)
            pipe.execute()

    guarded(run, None)
