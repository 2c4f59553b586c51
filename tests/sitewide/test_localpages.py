"""Hot pages answered from the app server's memory (sitewide/localpages.py): with no round
trip, never after a change to what they show, and only to requests whose answer is the page.

Through the WSGI application gunicorn runs (blogsite/wsgi.py's wrapper around Django's
handler), against a Redis server of the test's own."""

import io
import shutil
import sys
import threading
from datetime import timedelta

import pytest
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis_server import as_the_cache

from sitewide import pagestore
from sitewide.localpages import LocalPageCache

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")

PAGE = "/en/posts/pool-sizing/"


@pytest.fixture
def app(redis, committed, settings):
    settings.PAGE_CACHE_SECONDS = 600
    # Django's handler closes the database connection after each request, the test's
    # transaction with it; its test client does not, nor does this.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield LocalPageCache(WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def get(app, path=PAGE, method="GET", **headers):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        **headers,
    }
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"], answered["headers"] = status, headers

    body = b"".join(app(environ, start_response))
    return int(answered["status"][:3]), dict(answered["headers"]), body


def commands(redis):
    """How many commands Redis has run so far."""
    return sum(stats["calls"] for stats in redis.info("commandstats").values())


def from_memory(app, redis, path=PAGE, **headers):
    """Whether the answer came from the process's memory: no query, no Redis command."""
    before = commands(redis)
    with CaptureQueriesContext(connection) as queries:
        status, response_headers, body = get(app, path, **headers)
    # INFO itself is the one command between the two counts.
    local = not queries.captured_queries and commands(redis) - before == 1
    return local, status, response_headers, body


MARK = b"from memory"


def marked(app):
    """Every copy in the process's memory made recognisable."""
    assert app.memory.copies
    for copy in app.memory.copies.values():
        copy.body = MARK


def warm(app, path=PAGE):
    """Rendered and stored, then answered by the page cache, which the process keeps."""
    get(app, path)
    status, headers, _body = get(app, path)
    assert status == 200
    assert headers["X-Page-Cache"] == "hit"


def test_a_hot_page_is_answered_from_memory_with_the_headers_the_stack_gives_it(
    app, redis, live_article
):
    get(app)
    _status, stack_headers, stack_body = get(app)
    local, status, headers, body = from_memory(app, redis)
    assert local
    assert status == 200
    assert body == stack_body
    assert headers == stack_headers
    assert headers["Content-Length"] == str(len(body))
    assert "Content-Security-Policy" in headers  # set by a middleware above the page cache


def test_a_change_to_the_page_reaches_every_process_before_it_returns(
    app, redis, live_article, committed
):
    other = LocalPageCache(WSGIHandler())  # a second worker, with its own memory
    warm(app)
    warm(other)
    with committed():
        live_article.title_en = "Pool sizing, revised"
        live_article.save()
    for process in (app, other):
        local, *_ = from_memory(process, redis)
        assert not local
    _status, _headers, body = get(app)
    assert b"Pool sizing, revised" in body


def test_an_unpublished_article_is_gone_at_once(app, redis, live_article, committed):
    warm(app)
    with committed():
        live_article.unpublish()
    status, _headers, _body = get(app)
    assert status == 404


def test_a_change_to_something_else_keeps_the_page_in_memory(
    app, redis, live_article, make_article, committed
):
    warm(app)
    other = make_article(title_en="Elsewhere", slug="elsewhere")
    warm(app, "/en/posts/elsewhere/")
    with committed():
        other.title_en = "Elsewhere, revised"
        other.save()
    assert from_memory(app, redis)[0]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_AUTHORIZATION": "Bearer x"},
        {"HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_ACCEPT": "application/activity+json"},
        {"HTTP_ACCEPT": "Application/Activity+JSON"},
        {"HTTP_ACCEPT": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'},
        {"HTTP_IF_MATCH": '"anything"'},
        {"HTTP_IF_UNMODIFIED_SINCE": "Mon, 07 Dec 2026 06:41:16 GMT"},
        {"REQUEST_METHOD": "HEAD"},
    ],
    ids=[
        "session",
        "credentials",
        "cors",
        "activity",
        "activity-capitals",
        "ld-json",
        "etag",
        "date",
        "head",
    ],
)
def test_a_request_whose_answer_is_not_the_plain_page_takes_the_whole_stack(
    app, redis, live_article, headers
):
    warm(app)
    marked(app)
    method = headers.pop("REQUEST_METHOD", "GET")
    _status, _headers, body = get(app, method=method, **headers)
    assert body != MARK


@pytest.mark.parametrize("validator", ["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"])
def test_a_revalidation_is_answered_from_memory_as_the_stack_answers_it(
    app, redis, live_article, validator
):
    warm(app)
    _status, page_headers, _body = get(app)
    value = page_headers["ETag" if validator == "HTTP_IF_NONE_MATCH" else "Last-Modified"]
    status, stack_headers, _body = get(app, **{validator: value})  # learnt from the stack
    assert status == 304
    local, status, headers, body = from_memory(app, redis, **{validator: value})
    assert local
    assert (status, body) == (304, b"")
    assert headers == stack_headers


def test_a_revalidation_with_an_old_validator_gets_the_page_from_memory(app, redis, live_article):
    warm(app)
    stale = {"HTTP_IF_NONE_MATCH": '"an-older-copy"'}
    local, status, _headers, body = from_memory(app, redis, **stale)
    assert local
    assert status == 200
    assert b"Pool sizing" in body


def test_a_revalidation_after_a_change_gets_the_new_page(app, redis, live_article, committed):
    warm(app)
    _status, headers, _body = get(app)
    get(app, HTTP_IF_NONE_MATCH=headers["ETag"])
    with committed():
        live_article.title_en = "Pool sizing, revised"
        live_article.save()
    status, _headers, body = get(app, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert status == 200
    assert b"Pool sizing, revised" in body


def test_another_host_or_scheme_is_not_answered_with_this_ones_copy(app, redis, live_article):
    warm(app)
    marked(app)
    status, _headers, _body = get(app, HTTP_HOST="attacker.example")
    assert status == 400
    _status, _headers, body = get(app, **{"wsgi.url_scheme": "https"})
    assert body != MARK
    assert get(app)[2] == MARK


def test_a_copy_is_trusted_a_few_seconds_at_most(app, redis, live_article, clock, settings):
    warm(app)
    assert from_memory(app, redis)[0]
    clock.shift(timedelta(seconds=settings.PAGE_CACHE_LOCAL_SECONDS))
    assert not from_memory(app, redis)[0]


def test_no_copy_outlives_the_next_scheduled_publication(
    app, redis, live_article, make_article, author, clock, committed
):
    with committed():
        make_article(
            title_en="Due in two seconds",
            slug="due",
            published_at=timezone.now() + timedelta(seconds=2),
            author=author,
        )
    warm(app, "/en/")
    _status, _headers, body = get(app, "/en/")
    assert b"Due in two seconds" not in body
    clock.shift(timedelta(seconds=2))
    _status, _headers, body = get(app, "/en/")
    assert b"Due in two seconds" in body


def test_a_lost_subscription_empties_the_memory(app, redis, live_article):
    warm(app)
    assert from_memory(app, redis)[0]
    # The line of every subscriber dropped: a change published meanwhile would be lost.
    redis.client_kill_filter(_type="pubsub")
    assert not from_memory(app, redis)[0]


def test_the_memory_keeps_to_its_size(app, redis, make_article, author, settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 0
    small = LocalPageCache(WSGIHandler())
    make_article(title_en="Pool sizing", slug="pool-sizing", author=author)
    warm(small)
    assert not small.memory.copies
    warm(app)
    assert app.memory.size == sum(copy.size for copy in app.memory.copies.values()) > 0


def test_a_failure_in_another_thread_empties_the_memory_once(app, redis, live_article):
    warm(app)

    def fails():  # a call that fails in another thread, which has a cache object of its own
        cache._guard(lambda: (_ for _ in ()).throw(RedisConnectionError("line lost")), None)

    thread = threading.Thread(target=fails)
    thread.start()
    thread.join()
    assert not from_memory(app, redis)[0]
    warm(app)
    assert from_memory(app, redis)[0]
    assert from_memory(app, redis)[0]


def test_an_invalidation_no_process_could_hear_of_changes_nothing(
    app, redis, live_article, settings
):
    warm(app)
    # A line that takes every command but PUBLISH: the transaction with the bumps is refused.
    everything_but_publish = {"keys": "~*", "channels": "&*", "commands": ["+@all", "-publish"]}
    redis.acl_setuser("deaf", enabled=True, nopass=True, **everything_but_publish)
    port = redis.connection_pool.connection_kwargs["port"]
    settings.CACHES = as_the_cache(port, user="deaf")
    with pytest.raises(RedisError):
        pagestore.invalidate([f"article:{live_article.pk}"])
    settings.CACHES = as_the_cache(port)
    # Nothing was bumped: the stack still answers the copy the memory holds.
    fresh = LocalPageCache(WSGIHandler())
    assert get(fresh)[1]["X-Page-Cache"] == "hit"


def test_a_change_the_subscription_did_not_hear_of_is_found_at_the_next_lookup(
    app, redis, live_article
):
    warm(app)
    marked(app)
    # What a line that died without a word leaves: a change counted in Redis, never heard.
    for name in (pagestore.SEQUENCE_KEY, pagestore.version_key(f"article:{live_article.pk}")):
        redis.incr(cache.make_and_validate_key(name))
    assert get(app)[2] == MARK  # nothing has told this process yet
    get(app, "/en/")  # any page the stack looks up reads the count
    assert get(app)[2] != MARK


def test_spellings_of_an_address_do_not_crowd_the_memory(app, redis, live_article):
    warm(app)
    for number in range(20):
        get(app, QUERY_STRING=f"utm_source={number}")
        get(app, QUERY_STRING=f"utm_source={number}")
    assert len(app.memory.copies) == 1


def test_every_port_of_the_host_shares_one_copy(app, redis, live_article):
    warm(app)
    marked(app)
    assert get(app, HTTP_HOST="testserver:8080")[2] == MARK
    assert len(app.memory.copies) == 1
