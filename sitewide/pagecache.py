"""The whole-page cache: public pages at the cost of a cache read.

An anonymous GET or HEAD is answered from the cache, keyed by language and the full URL, when
a copy is there whose recorded keys are all still current: no query, no template. Each page
records what it shows while it renders (sitewide/pagestore.py), so a change makes exactly the
pages that show it stale, here and, through the purge, in the proxies in front. Every copy,
and every lifetime this site gives to browsers and proxies, ends at the next scheduled
publication, so a scheduled article appears at its second.

Which pages are public is decided by the response, not by a list of views: a 200 that sets
no cookie, varies on nothing but encoding and carries no Cache-Control of its own. Views
with a per-reader page say `never_cache` (or set a CSRF cookie, which rules them out too).
"""

import hashlib
import math
import time
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import get_language, get_language_from_path

from sitewide import localpages, pagestore
from sitewide.caching import next_publication
from sitewide.purge import header_tags

# Headers worked out again for each answer rather than replayed from the stored copy.
FRESH_HEADERS = {"cache-control", "expires", "set-cookie", "x-page-cache"}

YEAR = 365 * 24 * 3600

# Answers every anonymous reader of an address gets alike, that proxies may keep for a second
# (SHARED_CACHE_ERROR_SECONDS): a withdrawn article's 404 then replaces nginx's copy of it at
# its next revalidation, and a URL asked for by many costs one render a second.
SHORT_LIVED_STATUSES = {301, 308, 404, 410}

# nginx dates a copy in whole seconds, from the second it reads the answer in, and keeps it to
# the end of its last second: `s-maxage=1` read at 12.98 is fresh until 14.0, read at 13.01
# until 15.0. An answer the app capped at a publication just before a whole second, read by
# nginx just after it, would be kept a second past the publication. Lifetimes are counted
# from this much later than the app's clock, more than an answer takes to reach nginx.
PROXY_CLOCK_MARGIN = 0.25


def next_publication_timestamp(sequence, now):
    """When the next scheduled article goes live (inf when none), remembered until the next
    change (any change may schedule one)."""
    key = f"pages:next:{sequence}"
    stored = cache.get(key) if sequence is not None else None
    if stored is None or stored <= now:
        at = next_publication()
        stored = at.timestamp() if at else math.inf
        if sequence is not None:
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS or 60)
    return stored


_trusted_failures = 0


def undelivered_changes():
    """True while a change this process may have missed, made while the cache was failing,
    is still waiting in the database to reach it: until then the cache's pages may be older
    than that change, so none is answered. Asked of the database only after this process saw
    the cache fail, so a healthy site's hits run no query."""
    global _trusted_failures
    failures = getattr(cache, "failures", 0)
    if failures == _trusted_failures:
        return False
    from sitewide.models import PendingInvalidation

    if PendingInvalidation.objects.filter(delivered=False).exists():
        return True
    _trusted_failures = failures
    return False


def forget_unknown_session(request):
    """A session cookie naming no live session (forged, expired, signed out) is dropped before
    anything reads it: that reader is anonymous, served from and stored in the caches like any
    other, instead of costing a full render on every request."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if key is None or request.method not in ("GET", "HEAD"):
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    # A malformed key is refused without a query; a well-formed one costs one indexed read.
    if store.session_key is None or not store.load():
        del request.COOKIES[settings.SESSION_COOKIE_NAME]


def canonicalize_query(request):
    """Drops the query parameters no view reads (utm_*, cache busters) from an anonymous read,
    so every spelling of an address is answered and stored as its canonical page: they can
    neither fill the cache nor put themselves into its links."""
    known = settings.PAGE_CACHE_QUERY_PARAMETERS
    if all(name in known for name in request.GET):
        return
    kept = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name in known:
            kept.setlist(name, values)
    canonical = kept.urlencode()
    request.META["QUERY_STRING"] = canonical
    request.GET = QueryDict(canonical)


def is_anonymous_read(request):
    # A session cookie means staff (or someone who signed in): their pages are their own.
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def is_public(response):
    """The same bytes for every anonymous reader of this URL and language."""
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and vary <= {"accept-encoding"}
    )


def varies_only_as_nginx_keys(response):
    """Whether the answer differs between readers of its address only in what nginx's cache
    key tells apart (an article's ActivityPub object from its HTML: `Vary: Accept`) or
    compresses itself; nginx ignores Vary (deploy/nginx-proxy-pages.conf). A 404 outside the
    language prefixes is written in the reader's language (`Vary: Accept-Language`): no proxy
    may keep it."""
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= {"accept-encoding", "accept"}


def page_key(request, language):
    url = request.build_absolute_uri().encode()
    return f"pages:{language}:{hashlib.md5(url, usedforsecurity=False).hexdigest()}"


def set_http_caching(response, expires, now, purgeable=True):
    """Browsers revalidate every time (a 304 costs a cache read); shared caches keep the page
    for SHARED_CACHE_SECONDS (long: a change purges it) and may serve it stale while they
    revalidate, but no copy anywhere outlives the next scheduled publication. A page the purge
    could not find (not indexed: the cache was down, or a change came during its render) is
    kept a second at most."""
    remaining = max(0, math.floor(min(expires - now - PROXY_CLOCK_MARGIN, YEAR)))
    longest = settings.SHARED_CACHE_SECONDS if purgeable else settings.SHARED_CACHE_ERROR_SECONDS
    shared = min(longest, remaining)
    stale = min(settings.SHARED_CACHE_STALE_SECONDS, remaining - shared)
    directives = {"public": True, "max_age": 0}
    if shared:
        directives["s_maxage"] = shared
    if shared and stale:
        directives["stale_while_revalidate"] = stale
    patch_cache_control(response, **directives)


def cache_control_value(expires, now):
    """The Cache-Control of a hit, for answers made outside the stack (sitewide/localpages.py)."""
    response = HttpResponse()
    set_http_caching(response, expires, now)
    return response["Cache-Control"]


def short_lived_etag(etag):
    """The validator of a copy proxies keep a second only, told apart from the stored copy's.

    A proxy revalidates its short-lived copy with this ETag; were it the stored copy's, the
    answer would be a 304, and nginx, which takes only the lifetime from a 304 and not its
    headers, would keep the page for an hour while still telling everyone behind it
    `s-maxage=1`. A different ETag gets a 200 that replaces the copy, headers and all."""
    return f'{etag[:-1]}-short"' if etag.endswith('"') else etag


def set_short_lived(response, expires, now):
    """A 404 or 301 kept by proxies for a second at most (never past a scheduled publication:
    the 404 of an article due then must not outlive it)."""
    remaining = expires - now - PROXY_CLOCK_MARGIN
    seconds = max(0, math.floor(min(remaining, settings.SHARED_CACHE_ERROR_SECONDS)))
    if seconds:
        patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)
    else:
        patch_cache_control(response, no_cache=True)


def look_up(request, language):
    """(key, change sequence, stored copy still current) for this request."""
    key = page_key(request, language)
    if undelivered_changes():
        return key, None, None
    if not settings.PAGE_CACHE_SECONDS:
        # With the page cache off, the sequence still keys the next publication's time.
        return key, pagestore.sequence_started(), None
    sequence, entry = pagestore.fetch(key)
    if sequence is None:
        sequence = pagestore.sequence_started()
    return key, sequence, entry


def is_fresh(entry, now):
    return entry is not None and not entry.get("stale") and entry["expires"] > now


def store(request, key, sequence, entry, keys, seconds):
    """Keeps the page with the versions of what it shows; False when a change came while it
    was rendered (it may show what was there before) or the cache cannot take it."""
    versions = pagestore.current_versions(keys)
    if None in versions.values() or not pagestore.unchanged_since(sequence, keys):
        return False
    # Indexed first: a page the proxies could not be told to purge must not be kept long.
    lifetime = settings.PAGE_CACHE_SECONDS + settings.SHARED_CACHE_SECONDS
    lifetime += settings.SHARED_CACHE_STALE_SECONDS + pagestore.URL_INDEX_SLACK_SECONDS
    if not pagestore.index_urls(keys, request.build_absolute_uri(), lifetime, sequence):
        return False
    pagestore.keep(key, entry, versions, seconds)
    return True


def say_where_from(request, response, value):
    """X-Page-Cache: whether the app answered its stored copy (`hit`) or rendered (`miss`).

    Not on the answer to nginx's refresh (sitewide/purge.py sends X-Refresh), which nginx
    stores in place of its copy, header block included. nginx sizes its read of a copy by the
    header block of the copy it last stored: a reader that looks the page up as the refresh
    replaces the file, and opens the new one, is refused it when its headers are longer
    ("cache file has too long header") and passed to the app servers (a MISS). A change's
    first refresh is a render (`miss`) and its second, or the last change's, a stored copy
    (`hit`): with the header, each change's refresh was a byte longer than the copy it
    replaced, and every reader looking the hub up at that moment was passed on."""
    if not request.headers.get("X-Refresh"):
        response["X-Page-Cache"] = value


def answer_from(request, entry, now):
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    # Known here: without it gunicorn sends the page in chunks.
    response["Content-Length"] = len(entry["content"])
    # Proxies may keep it until the next publication, not just while this copy lives here.
    set_http_caching(response, entry.get("next_at", entry["expires"]), now)
    say_where_from(request, response, "hit")
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["modified"], response=response
    )


class PageCacheHitMiddleware:
    """Answers a cached page under a language prefix before sessions, locale and the rest of
    the stack run: a hit then costs about what WhiteNoise's static file costs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forget_unknown_session(request)
        if not is_anonymous_read(request):
            return self.get_response(request)
        canonicalize_query(request)
        language = get_language_from_path(request.path_info)
        if language and settings.PAGE_CACHE_SECONDS:
            now = time.time()
            request.page_cache_lookup = look_up(request, language)
            _key, sequence, entry = request.page_cache_lookup
            request.META[localpages.SEQUENCE_KEY] = sequence
            if is_fresh(entry, now):
                # A current copy of this address's page: the process may keep it, or the
                # headers of its 304 (localpages.py).
                request.META[localpages.ENVIRON_KEY] = entry
                return answer_from(request, entry, now)
        response = self.get_response(request)
        if (
            response.status_code in SHORT_LIVED_STATUSES
            and not response.cookies
            and not response.has_header("Cache-Control")
            and varies_only_as_nginx_keys(response)
        ):
            now = time.time()
            next_at = getattr(request, "page_cache_next_at", None)
            if next_at is None:  # answered above the page cache's render (not by a view)
                lookup = getattr(request, "page_cache_lookup", None)
                sequence = lookup[1] if lookup else pagestore.sequence()
                next_at = next_publication_timestamp(sequence, now)
            set_short_lived(response, next_at, now)
        return response


class PageCacheMiddleware:
    """Serves what the early middleware could not (pages without a language prefix) and stores
    every public page it sees rendered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_anonymous_read(request):
            response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                # Rendered for one reader: no proxy may keep it and hand it to another.
                patch_cache_control(response, private=True, no_cache=True)
            return response

        now = time.time()
        language = get_language()
        lookup = getattr(request, "page_cache_lookup", None)
        if lookup is None or lookup[0] != page_key(request, language):
            lookup = look_up(request, language)
        key, sequence, entry = lookup
        if is_fresh(entry, now):
            return answer_from(request, entry, now)

        # The publication that caps this answer's lifetime, read before the view reads the
        # articles. Read after it, it may be the next one already: a 404 rendered just before
        # an article's second was then kept by proxies for a second after it, and by nginx,
        # whose clock counts whole seconds, up to 2 s (bench/schedule.py). Read before, an
        # answer rendered across the second is capped at that second: no proxy keeps it.
        next_at = request.page_cache_next_at = next_publication_timestamp(sequence, now)
        with pagestore.Recording() as shown:
            response = self.get_response(request)
        if not is_public(response):
            return response
        if not response.has_header("ETag"):
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response["ETag"] = f'"{digest}"'
        # The render time, not the newest article's date: withdrawing that article must not
        # make the page look older, or a copy from before would be answered with a 304.
        # Dates have whole seconds, so a copy replaced within its second gets the next one.
        modified = math.floor(now) if entry is None else max(math.floor(now), entry["modified"] + 1)
        response["Last-Modified"] = http_date(modified)
        # Set here, not by LocaleMiddleware on the way out, so the stored copy carries it.
        response.headers.setdefault("Content-Language", language)
        say_where_from(request, response, "miss")
        keys = shown.keys | {pagestore.EVERYTHING}
        if shown.lists:
            keys.add(f"list:{language}")
        if settings.PAGE_PURGE_TAG_HEADER:
            response[settings.PAGE_PURGE_TAG_HEADER] = header_tags(keys)
        expires = min(now + settings.PAGE_CACHE_SECONDS, next_at)
        stored = False
        if request.method == "GET" and sequence is not None and expires - now >= 1:
            entry = {
                "expires": expires,
                "next_at": next_at,
                "content": response.content,
                "headers": [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() not in FRESH_HEADERS
                ],
                "etag": response["ETag"],
                "modified": modified,
            }
            stored = store(request, key, sequence, entry, keys, math.ceil(expires - now))
        if not stored:
            response["ETag"] = short_lived_etag(response["ETag"])
        # Counted from when the answer leaves, not from when the render began: a render that
        # took half a second must not hand proxies half a second more than is left.
        set_http_caching(response, next_at, time.time(), purgeable=stored)
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=modified, response=response
        )
