"""Hot pages answered from the app server's own memory: a hit with no round trip at all.

A page the page cache answered (sitewide/pagecache.py, one Redis round trip that checks its
versions) is kept in the process, with the exact headers the whole middleware stack gave it,
and the next plain GET of the same address is answered here, before Django's handler: what
WhiteNoise's static file costs, not a Redis round trip plus the stack.

Never wrong, because every invalidation reaches every process as it happens:
`pagestore.invalidate` bumps the versions and publishes them on a Redis channel in one
transaction, and each process, subscribed to it, reads what arrived (a poll of its own
socket, no round trip) before answering anything from memory, dropping the copies that
recorded any of them. Redis writes a published message to its subscribers in the same pass of
its event loop as its answer to the publisher, so an invalidation is heard by every process
as it returns (the loopback or the network's delay apart). Whatever could make a process miss
a message empties its memory: the subscription lost or connected again, the cache failing, a
fork, and a change counted in Redis (the sequence that every lookup of the page cache reads)
that the subscription did not hear of, which is how a line that died without a word is
found. A copy is also trusted for a few seconds at most (PAGE_CACHE_LOCAL_SECONDS) and never
past its own expiry, which stops at the next scheduled publication.

Only requests whose answer depends on nothing but the address and its validators are
answered here: GET, no session cookie, no credentials, no Origin (CORS), not asking for JSON
(an article's ActivityPub object); everything else goes through the stack as before. Copies
are kept only of canonical addresses (no query parameter the page cache drops), so spellings
of one address cannot crowd the memory. A revalidation (If-None-Match, If-Modified-Since:
every browser's visit, since pages say max-age=0, and nginx's refresh) is judged by Django's
own rules and, when nothing changed, answered 304 with the headers the stack's first 304 for
that copy had.
"""

import functools
import json
import math
import os
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port
from django.utils.cache import get_conditional_response
from redis.client import PubSub

# The headers Django's hit sets per answer: worked out here again (they depend on the time).
PER_ANSWER = {"cache-control"}
# Request headers that make an answer differ from the plain page: those requests take the
# whole stack (it answers them as before).
DIFFERENT_ANSWER = (
    "HTTP_AUTHORIZATION",
    "HTTP_ORIGIN",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)
# Set by the page cache on a request it answered from a stored copy that was current.
ENVIRON_KEY = "sitewide.page_cache_hit"
# Set by the page cache on every lookup: the number of the last invalidation, read in Redis.
SEQUENCE_KEY = "sitewide.page_cache_sequence"
CHANNEL = "pages:changed"


def channel():
    return cache.make_and_validate_key(CHANNEL)


def redis_client():
    """The cache's Redis client, or None when the cache is not Redis (tests' local memory)."""
    inner = getattr(cache, "_cache", None)
    if not hasattr(inner, "get_client"):
        return None
    return inner.get_client(write=True)


def message(sequence, version_names):
    """What `pagestore.invalidate` publishes: the invalidation's number and its versions."""
    return json.dumps({"sequence": sequence, "versions": sorted(version_names)})


# A browser's or nginx's revalidation: answered here too, by Django's own rules.
VALIDATORS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


class Copy:
    __slots__ = (
        "body",
        "etag",
        "headers",
        "modified",
        "next_at",
        "not_modified",
        "size",
        "until",
        "versions",
    )

    def __init__(self, body, headers, entry, until):
        self.body = body
        self.headers = headers
        self.versions = frozenset(entry["versions"])
        self.etag = entry["etag"]
        self.modified = entry["modified"]
        self.next_at = entry.get("next_at", entry["expires"])
        self.until = until
        # The headers of the stack's 304 for this copy, once one has been seen.
        self.not_modified = None
        self.size = len(body) + sum(len(name) + len(value) for name, value in headers)


class Memory:
    """The process's copies, least recently used dropped first past `limit` bytes."""

    def __init__(self, limit):
        self.limit = limit
        self.copies = OrderedDict()
        self.size = 0
        # Moves on every drop: a copy fetched before a drop may be older than the drop.
        self.epoch = 0
        self.lock = threading.Lock()

    def get(self, key, now):
        with self.lock:
            found = self.copies.get(key)
            if found is None:
                return None
            if found.until <= now:
                self._remove(key)
                return None
            self.copies.move_to_end(key)
            return found

    def put(self, key, copy, epoch):
        """Keeps `copy` unless something was dropped since `epoch` (it may be what was)."""
        if copy.size > self.limit:
            return
        with self.lock:
            if epoch != self.epoch:
                return
            if key in self.copies:
                self._remove(key)
            self.copies[key] = copy
            self.size += copy.size
            while self.size > self.limit:
                self._remove(next(iter(self.copies)))

    def drop(self, version_names):
        names = set(version_names)
        with self.lock:
            self.epoch += 1
            for key in [key for key, copy in self.copies.items() if names & copy.versions]:
                self._remove(key)

    def clear(self):
        with self.lock:
            self.epoch += 1
            self.copies.clear()
            self.size = 0

    def _remove(self, key):
        self.size -= self.copies.pop(key).size


class Subscription:
    """This process's subscription to the invalidations: `current()` reads what arrived and
    says whether every invalidation since the memory was last emptied has been read."""

    RETRY_SECONDS = 1.0

    def __init__(self, memory):
        self.memory = memory
        self.pubsub = None
        self.pid = None
        self.failures = None
        # The number of the last invalidation heard of (or seen in Redis since subscribing).
        self.heard = None
        self.next_try = 0.0
        self.lock = threading.Lock()

    def current(self, now):
        with self.lock:
            # The cache failed since the last look: a change may be waiting in the database to
            # reach it (pagecache.undelivered_changes); the stack's hit path decides.
            failures = getattr(cache, "failures", 0)
            if failures != self.failures or not getattr(cache, "available", True):
                self.failures = failures
                self._lose()
                return False
            if self.pid != os.getpid():  # a forked worker: the parent's socket is not ours
                self.pubsub = None
                self._lose()
            if self.pubsub is None and not self._subscribe(now):
                return False
            try:
                while found := self.pubsub.get_message(timeout=0):
                    if found["type"] == "message":
                        heard = json.loads(found["data"])
                        self.memory.drop(heard["versions"])
                        self.heard = max(self.heard or 0, heard["sequence"])
            except Exception:  # the line is gone: messages may be lost with it
                self._lose()
                return False
            if self.pubsub.reconnected:
                # redis-py subscribed again on a new line: what came meanwhile is lost.
                self._lose()
                return False
            return True

    def counted(self, sequence):
        """The page cache read this invalidation number in Redis: one this subscription has
        not heard of means messages are not arriving (or one is on its way), so the memory is
        emptied and the subscription made again."""
        if sequence is None:
            return
        with self.lock:
            if self.pubsub is None:
                return
            if self.heard is None:
                self.heard = sequence
            elif sequence > self.heard:
                self._lose()

    def _subscribe(self, now):
        if now < self.next_try:
            return False
        client = redis_client()
        if client is None:
            return False
        pubsub = NoticingPubSub(client.connection_pool)
        try:
            pubsub.subscribe(channel())
            # The confirmation: from here on, nothing published is missed.
            confirmed = pubsub.get_message(timeout=self.RETRY_SECONDS)
            if not confirmed or confirmed["type"] != "subscribe":
                raise TimeoutError("The subscription was not confirmed.")
        except Exception:
            pubsub.reset()
            # Not tried again on every request while Redis does not answer.
            self.next_try = now + self.RETRY_SECONDS
            return False
        # Emptied again: what was kept before may have missed a change.
        self.memory.clear()
        self.pubsub = pubsub
        self.pid = os.getpid()
        self.heard = None
        return True

    def _lose(self):
        if self.pubsub is not None:
            self.pubsub.reset()
            self.pubsub = None
        self.memory.clear()


class NoticingPubSub(PubSub):
    """redis-py's subscription, which says when it had to connect again."""

    reconnected = False

    def on_connect(self, connection):
        self.reconnected = True
        super().on_connect(connection)


@functools.lru_cache(maxsize=16)
def _far_cache_control(shared, stale):
    from sitewide.pagecache import cache_control_value

    return cache_control_value(math.inf, 0)


def cache_control(next_at, now):
    """The hit's Cache-Control, as the stack's hit gives it: worked out once while the next
    publication is further away than any lifetime it could cap, exactly when it is near."""
    shared, stale = settings.SHARED_CACHE_SECONDS, settings.SHARED_CACHE_STALE_SECONDS
    if next_at - now > shared + stale + 2:
        return _far_cache_control(shared, stale)
    from sitewide.pagecache import cache_control_value

    return cache_control_value(next_at, now)


class LocalPageCache:
    """WSGI middleware around Django's handler."""

    def __init__(self, application):
        self.application = application
        self.memory = Memory(settings.PAGE_CACHE_LOCAL_BYTES)
        self.subscription = Subscription(self.memory)
        self.session_cookie = settings.SESSION_COOKIE_NAME
        proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        self.scheme_header = proxy_header[0] if proxy_header else None

    def key(self, environ):
        """The address as asked, when its answer can depend on nothing else; else None."""
        if environ.get("REQUEST_METHOD") != "GET" or not settings.PAGE_CACHE_LOCAL_SECONDS:
            return None
        if any(name in environ for name in DIFFERENT_ANSWER):
            return None
        if "json" in environ.get("HTTP_ACCEPT", "").lower():
            return None
        if self.session_cookie in environ.get("HTTP_COOKIE", ""):
            return None
        return (
            environ.get("wsgi.url_scheme"),
            environ.get(self.scheme_header) if self.scheme_header else None,
            # Every port of an allowed host gets the same page (blogsite/middleware.py).
            split_domain_port(environ.get("HTTP_HOST", ""))[0],
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )

    def __call__(self, environ, start_response):
        key = self.key(environ)
        if key is None:
            return self.application(environ, start_response)
        now = time.time()
        current = self.subscription.current(now)
        found = self.memory.get(key, now) if current else None
        if found is not None:
            answer = self.answer(environ, found, now)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return body
        epoch = self.memory.epoch
        answered = {}

        def remember(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return start_response(status, headers, exc_info)

        query = environ.get("QUERY_STRING", "")
        response = self.application(environ, remember)
        if not current:
            return response
        self.subscription.counted(environ.get(SEQUENCE_KEY))
        entry = environ.get(ENVIRON_KEY)
        # The page cache put the query in its canonical form: this spelling is not kept.
        if entry is None or not entry.get("versions") or environ.get("QUERY_STRING") != query:
            return response
        headers = [(n, v) for n, v in answered["headers"] if n.lower() not in PER_ANSWER]
        status = answered.get("status", "")
        if status.startswith("304"):
            if found is not None and (found.etag, found.modified) == (
                entry["etag"],
                entry["modified"],
            ):
                found.not_modified = headers
            return response
        if not status.startswith("200"):
            return response
        body = b"".join(response)
        if hasattr(response, "close"):
            response.close()
        until = min(entry["expires"], now + settings.PAGE_CACHE_LOCAL_SECONDS)
        self.memory.put(key, Copy(body, headers, entry, until), epoch)
        return [body]

    def answer(self, environ, found, now):
        """(status, headers, body) from the copy, or None when only the stack can answer."""
        control = ("Cache-Control", cache_control(found.next_at, now))
        if any(name in environ for name in VALIDATORS):
            request = Revalidation(environ)
            if not_modified(request, found.etag, found.modified):
                if found.not_modified is None:
                    return None  # its 304's headers are learnt from the stack's first one
                return "304 Not Modified", [*found.not_modified, control], []
        return "200 OK", [*found.headers, control], [found.body]


class Revalidation:
    """What Django's conditional-request rules read of a request."""

    method = "GET"

    def __init__(self, environ):
        self.META = environ


def not_modified(request, etag, modified):
    """Whether Django's rules (the stack's hit) would answer this request 304."""
    return get_conditional_response(request, etag=etag, last_modified=modified) is not None
