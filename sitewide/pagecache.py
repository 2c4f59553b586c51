"""The whole-page cache: public pages at the cost of a cache read.

An anonymous GET or HEAD is answered from the cache, keyed by language and the full URL, when
a copy stored under the current content version is there: no query, no template. Every copy,
and every lifetime this site gives to browsers and proxies, ends at the next scheduled
publication, so a scheduled article appears at its second; any change to what pages show
bumps the content version (sitewide/changes.py), so an edit or a withdrawal shows at once.

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

from sitewide.caching import (
    VERSION_KEY,
    content_version,
    content_version_pending,
    next_publication,
)

# Headers worked out again for each answer rather than replayed from the stored copy.
FRESH_HEADERS = {"cache-control", "expires", "set-cookie", "x-page-cache"}

YEAR = 365 * 24 * 3600

# Answers every anonymous reader of an address gets alike, that proxies may keep for a second
# (SHARED_CACHE_ERROR_SECONDS): a withdrawn article's 404 then replaces nginx's copy of it at
# its next revalidation, and a URL asked for by many costs one render a second.
SHORT_LIVED_STATUSES = {301, 308, 404, 410}


def next_publication_timestamp(version, now):
    """When the next scheduled article goes live (inf when none), remembered per version."""
    key = f"pages:next:{version}"
    stored = cache.get(key) if version is not None else None
    if stored is None or stored <= now:
        at = next_publication()
        stored = at.timestamp() if at else math.inf
        if version is not None:
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS or 60)
    return stored


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


def page_key(request, language):
    url = request.build_absolute_uri().encode()
    return f"pages:{language}:{hashlib.md5(url, usedforsecurity=False).hexdigest()}"


def set_http_caching(response, expires, now):
    """Browsers revalidate every time (a 304 costs a cache read); shared caches keep the page
    for SHARED_CACHE_SECONDS and may serve it stale while they revalidate, but no copy
    anywhere outlives the next scheduled publication."""
    remaining = max(0, math.floor(min(expires - now, YEAR)))
    shared = min(settings.SHARED_CACHE_SECONDS, remaining)
    stale = min(settings.SHARED_CACHE_STALE_SECONDS, remaining - shared)
    directives = {"public": True, "max_age": 0}
    if shared:
        directives["s_maxage"] = shared
    if shared and stale:
        directives["stale_while_revalidate"] = stale
    patch_cache_control(response, **directives)


def set_short_lived(response, expires, now):
    """A 404 or 301 kept by proxies for a second at most (never past a scheduled publication:
    the 404 of an article due then must not outlive it)."""
    seconds = max(0, math.floor(min(expires - now, settings.SHARED_CACHE_ERROR_SECONDS)))
    if seconds:
        patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)
    else:
        patch_cache_control(response, no_cache=True)


def look_up(request, language):
    """(key, content version, stored copy) for this request, in one round trip to the cache."""
    key = page_key(request, language)
    if not settings.PAGE_CACHE_SECONDS:
        return key, content_version(), None
    if content_version_pending():
        return key, None, None
    found = cache.get_many([VERSION_KEY, key])
    if found.get(VERSION_KEY) is None:
        return key, content_version(), None
    return key, found[VERSION_KEY], found.get(key)


def is_fresh(entry, version, now):
    return entry is not None and entry["version"] == version and entry["expires"] > now


def answer_from(request, entry, now):
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    set_http_caching(response, entry["expires"], now)
    response["X-Page-Cache"] = "hit"
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
            _key, version, entry = request.page_cache_lookup
            if is_fresh(entry, version, now):
                return answer_from(request, entry, now)
        response = self.get_response(request)
        if (
            response.status_code in SHORT_LIVED_STATUSES
            and not response.cookies
            and not response.has_header("Cache-Control")
        ):
            lookup = getattr(request, "page_cache_lookup", None)
            version = lookup[1] if lookup else content_version()
            now = time.time()
            set_short_lived(response, next_publication_timestamp(version, now), now)
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
        key, version, entry = lookup
        if is_fresh(entry, version, now):
            return answer_from(request, entry, now)

        response = self.get_response(request)
        if not is_public(response):
            return response
        next_at = next_publication_timestamp(version, now)
        set_http_caching(response, next_at, now)
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
        response["X-Page-Cache"] = "miss"
        expires = min(now + settings.PAGE_CACHE_SECONDS, next_at)
        if request.method == "GET" and version is not None and expires - now >= 1:
            entry = {
                "version": version,
                "expires": expires,
                "content": response.content,
                "headers": [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() not in FRESH_HEADERS
                ],
                "etag": response["ETag"],
                "modified": modified,
            }
            cache.set(key, entry, math.ceil(expires - now))
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=modified, response=response
        )
