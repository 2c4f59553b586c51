"""The whole-page cache and the HTTP caching headers: fast, and never wrong."""

import contextlib
import re
import socket
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.signals import template_rendered
from django.utils import timezone
from factories import new_ada_writer, new_live_article, new_series, new_tag

from articles.models import Article
from articles.preview import preview_url
from newsletter.models import Subscriber
from sitewide.models import SiteSettings

PUBLIC_PAGES = [
    "/en/",
    "/ru/",
    "/en/?page=1",
    "/en/posts/pool-sizing/",
    "/ru/posts/pool-sizing/",
    "/en/series/",
    "/en/series/guide/",
    "/en/tags/databases/",
    "/en/authors/ada-writer/",
    "/en/archive/",
    "/en/search/?q=pool",
    "/en/feed/",
    "/en/feed/atom/",
    "/en/series/guide/feed/",
    "/en/tags/databases/feed/",
    "/en/newsletter/",
    "/en/newsletter/check-your-inbox/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/robots.txt",
]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture(autouse=True)
def _site_settings(db):
    SiteSettings.load()  # created on first use, which changes what pages show


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A change as a site makes it: committed, so what follows a change runs."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def site(live_article, make_series, make_tag):
    live_article.tags.set([make_tag(slug="databases", name_en="Databases")])
    make_series(parts=3)
    return live_article


def make_site():
    """What `site` makes (with tests/conftest.py's author and live article)."""
    author = new_ada_writer()
    article = new_live_article(author)
    article.tags.set([new_tag(slug="databases", name_en="Databases")])
    new_series(parts=3, author=author)


@pytest.fixture
def site_read_only(db, made_once):
    """The same site, made once for the module and copied into each of the forty tests that
    only read its pages (made anew, it was half of their time)."""
    made_once("site", make_site)


def visible(client, url, text):
    return text in client.get(url).content.decode()


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_set_no_cookie_and_vary_on_no_cookie(client, site_read_only, url):
    for _ in range(2):  # the render, then the copy from the cache
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert "cookie" not in response.get("Vary", "").lower()
        assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.parametrize("url", [u for u in PUBLIC_PAGES if u != "/robots.txt"])
def test_public_pages_let_proxies_keep_them_and_browsers_revalidate(client, site_read_only, url):
    response = client.get(url)
    directives = response["Cache-Control"]
    assert "public" in directives
    assert "max-age=0" in directives
    assert "s-maxage=" in directives
    assert response["ETag"].startswith('"')
    assert response.has_header("Last-Modified")


def test_a_cache_hit_runs_no_query(client, site, django_assert_num_queries):
    assert client.get("/en/")["X-Page-Cache"] == "miss"
    client.get("/en/posts/pool-sizing/")
    with django_assert_num_queries(0):
        response = client.get("/en/")
        head = client.head("/en/posts/pool-sizing/")
    assert response["X-Page-Cache"] == "hit"
    assert "Pool sizing" in response.content.decode()
    assert head.status_code == 200
    assert head["X-Page-Cache"] == "hit"


def header_block(response):
    return sum(len(f"{name}: {value}\r\n") for name, value in response.headers.items())


def test_nginx_s_refresh_gets_the_same_headers_from_a_render_and_from_the_copy(client, site):
    """nginx reads a copy with the header size of the copy it last stored: a refresh whose
    headers were longer sent the readers who met it being stored to the app servers (nginx:
    "cache file has too long header"). The render and the copy carry the same headers."""
    rendered = client.get("/en/", headers={"X-Refresh": "1"})
    kept = client.get("/en/", headers={"X-Refresh": "1"})
    assert not rendered.has_header("X-Page-Cache")
    assert not kept.has_header("X-Page-Cache")
    assert header_block(rendered) == header_block(kept)
    # Readers' answers still say where they came from.
    assert client.get("/en/")["X-Page-Cache"] == "hit"


def test_each_language_and_address_has_its_own_copy(client, make_article):
    make_article(title_en="Pools", title_ru="Пулы", body_ru="Текст")
    assert visible(client, "/en/", "Pools")
    assert visible(client, "/ru/", "Пулы")
    assert not visible(client, "/en/", "Пулы")


def stored_pages():
    from django.core.cache import cache

    # LocMemCache (these tests) or Redis (the PostgreSQL + Redis pass): the pages themselves.
    page = re.compile(r":pages:[a-z-]+:[0-9a-f]{32}$")
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):
        return {key for key in cache._cache if page.search(key)}
    client = cache._cache.get_client()
    keys = client.scan_iter(cache.make_and_validate_key("pages:*"))
    return {key for key in keys if page.search(key.decode())}


def test_unknown_query_parameters_get_the_canonical_page_and_no_new_entry(client, make_article):
    for _ in range(12):
        make_article()
    canonical = client.get("/en/").content.decode()
    assert 'href="?page=2"' in canonical
    stored = stored_pages()
    for number in range(5):
        polluted = client.get(f"/en/?utm_source=spam{number}&fbclid={number}")
        assert polluted["X-Page-Cache"] == "hit"
        assert polluted.content.decode() == canonical
    assert "spam" not in client.get("/en/?page=2&utm_source=spam").content.decode()
    # The page that was asked for, under its own canonical address.
    assert client.get("/en/?utm_source=x&page=2")["X-Page-Cache"] == "hit"
    assert len(stored_pages()) == len(stored) + 1


def test_the_parameters_views_read_still_reach_them(client, make_article):
    for number in range(11):
        make_article(title_en=f"Pool {number}")
    page = client.get("/en/search/?q=pool&utm_medium=x").content.decode()
    assert 'rel="next" href="?q=pool&amp;page=2"' in page
    assert client.get("/en/?page=9&utm_medium=x").status_code == 404


@pytest.mark.parametrize("forged", ["x", "a" * 32])
def test_a_session_that_does_not_exist_reads_the_cache_as_anyone(client, live_article, forged):
    client.get("/en/posts/pool-sizing/")
    client.cookies["sessionid"] = forged
    for _ in range(2):
        response = client.get("/en/posts/pool-sizing/")
        assert response["X-Page-Cache"] == "hit"
        assert not response.cookies
    # A page not cached yet is rendered once and stored for every reader.
    assert client.get("/en/tags/")["X-Page-Cache"] == "miss"
    assert client.get("/en/tags/")["X-Page-Cache"] == "hit"


def test_a_404_or_a_moved_article_is_kept_by_proxies_for_a_second(client, live_article):
    missing = client.get("/en/posts/no-such-article/")
    assert missing.status_code == 404
    assert "s-maxage=1" in missing["Cache-Control"]
    assert "max-age=0" in missing["Cache-Control"]
    live_article.slug = "pool-sizing-2"
    live_article.save()
    moved = client.get("/en/posts/pool-sizing/")
    assert moved.status_code == 301
    assert "s-maxage=1" in moved["Cache-Control"]


def test_a_404_written_in_the_reader_language_is_kept_by_no_proxy(client, db):
    """nginx ignores Vary (its key tells an article's ActivityPub object from its HTML
    already): a 404 outside the language prefixes, in the language the reader's
    Accept-Language picked, must not be kept for the next reader."""
    missing = client.get("/no-such-page-anywhere/", HTTP_ACCEPT_LANGUAGE="ru")
    assert missing.status_code == 404
    assert "Accept-Language" in missing["Vary"]
    assert "s-maxage" not in missing.get("Cache-Control", "")
    assert "public" not in missing.get("Cache-Control", "")


def test_the_404_of_an_article_due_within_the_second_is_not_kept(
    client, live_article, make_article, clock
):
    make_article(slug="due", published_at=timezone.now() + timedelta(milliseconds=500))
    response = client.get("/en/posts/due/")
    assert response.status_code == 404
    assert "s-maxage" not in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]


@contextlib.contextmanager
def clock_moves_while_rendering(clock, moment):
    """The test's clock jumps to `moment` while a page renders (at each template it draws): a
    render that takes that long, between the view's look-ups and the answer leaving."""

    def move(**kwargs):
        clock.move_to(moment)

    template_rendered.connect(move)
    try:
        yield
    finally:
        template_rendered.disconnect(move)


@pytest.mark.template_context  # moves the clock at each template drawn
def test_a_404_rendered_across_an_article_s_second_is_not_kept(
    client, live_article, make_article, clock
):
    """The view found no article just before its second, and the answer left the app after
    it: capped at the publication after that one, nginx kept the 404 for 2 s after the
    second (bench/schedule.py)."""
    due = timezone.now() + timedelta(seconds=2)
    make_article(slug="due-soon", published_at=due)
    assert client.get("/en/posts/due-soon/").status_code == 404  # the next publication noted

    clock.move_to(due - timedelta(milliseconds=1))
    with clock_moves_while_rendering(clock, due + timedelta(milliseconds=1)):
        response = client.get("/en/posts/due-soon/")
    assert response.status_code == 404
    assert "s-maxage" not in response["Cache-Control"]
    assert client.get("/en/posts/due-soon/").status_code == 200


def test_nothing_is_kept_into_the_second_nginx_may_date_it_past_a_publication(
    client, live_article, make_article, clock
):
    """nginx counts lifetimes in whole seconds from the second it reads an answer in: one
    made 1.1 s before a publication with `s-maxage=1` and read a little after the next
    whole second would be kept until a second past the publication."""
    due = timezone.now() + timedelta(seconds=3)
    make_article(slug="due-later", published_at=due)
    clock.move_to(due - timedelta(seconds=1.1))
    missing = client.get("/en/posts/due-later/")
    assert missing.status_code == 404
    assert "s-maxage" not in missing["Cache-Control"]
    hub = client.get("/en/")
    assert "s-maxage" not in hub["Cache-Control"]


@pytest.mark.template_context  # moves the clock at each template drawn
def test_a_slow_render_is_kept_by_proxies_only_for_what_is_left_when_it_is_sent(
    client, live_article, make_article, clock
):
    """The hub began rendering 1.6 s before a publication and took 0.7 s: from its start,
    proxies could keep it a second (past the publication, which it does not show yet)."""
    due = timezone.now() + timedelta(seconds=5)
    make_article(slug="due-after-the-render", published_at=due)
    clock.move_to(due - timedelta(seconds=1.6))
    with clock_moves_while_rendering(clock, due - timedelta(seconds=0.9)):
        hub = client.get("/en/")
    assert hub.status_code == 200
    assert "s-maxage" not in hub["Cache-Control"]


def test_a_matching_etag_or_date_gets_304_without_rendering(
    client, site, django_assert_num_queries
):
    first = client.get("/en/posts/pool-sizing/")
    with django_assert_num_queries(0):
        by_etag = client.get("/en/posts/pool-sizing/", HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = client.get(
            "/en/posts/pool-sizing/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        )
        stale = client.get("/en/posts/pool-sizing/", HTTP_IF_NONE_MATCH='"something-else"')
    assert by_etag.status_code == 304
    assert by_date.status_code == 304
    assert by_etag["ETag"] == first["ETag"]
    assert stale.status_code == 200


def test_a_scheduled_article_appears_at_its_second_through_a_warm_cache(
    client, live_article, make_article, clock
):
    due = timezone.now() + timedelta(seconds=2)
    make_article(title_en="Right on time", slug="on-time", published_at=due)
    assert not visible(client, "/en/", "Right on time")
    hub = client.get("/en/")
    assert hub["X-Page-Cache"] == "hit"
    assert client.get("/en/posts/on-time/").status_code == 404
    # No proxy may keep the page past the publication: fresh plus stale time ends before it.
    lifetimes = re.findall(r"(?:s-maxage|stale-while-revalidate)=(\d+)", hub["Cache-Control"])
    assert sum(int(seconds) for seconds in lifetimes) <= 2

    clock.move_to(due - timedelta(milliseconds=1))
    assert not visible(client, "/en/", "Right on time")
    clock.move_to(due)
    assert visible(client, "/en/", "Right on time")
    assert client.get("/en/posts/on-time/").status_code == 200


def test_an_unpublished_article_is_gone_from_the_cached_hub_and_page_at_once(
    client, live_article, committed
):
    for _ in range(2):
        assert visible(client, "/en/", "Pool sizing")
        assert client.get("/en/posts/pool-sizing/").status_code == 200
    live_article.status = Article.Status.DRAFT
    with committed():
        live_article.save()
    assert not visible(client, "/en/", "Pool sizing")
    assert client.get("/en/posts/pool-sizing/").status_code == 404


def test_a_deleted_article_is_gone_at_once(client, live_article, committed):
    assert visible(client, "/en/", "Pool sizing")
    with committed():
        live_article.delete()
    assert not visible(client, "/en/", "Pool sizing")


def rename_tag(site):
    tag = site.tags.get()
    tag.name_en = "Renamed tag"
    tag.save()


def rename_author(site):
    site.author.name = "Renamed author"
    site.author.save()


def rename_site(site):
    settings_row = SiteSettings.load()
    settings_row.name_en = "Renamed blog"
    settings_row.save()


def retitle_series(site):
    from series.models import Series

    series = Series.objects.get()
    series.title_en = "Renamed guide"
    series.save()


def untag(site):
    site.tags.clear()


def translate(site):
    site.title_ru = "Переведённый заголовок"
    site.save()


@pytest.mark.parametrize(
    ("change", "url", "text"),
    [
        (rename_tag, "/en/posts/pool-sizing/", "Renamed tag"),
        (rename_author, "/en/", "Renamed author"),
        (rename_site, "/en/posts/pool-sizing/", "Renamed blog"),
        (retitle_series, "/en/posts/guide-part-2/", "Renamed guide"),
        (translate, "/ru/posts/pool-sizing/", "Переведённый заголовок"),
    ],
)
def test_every_change_pages_show_is_shown_at_once(client, site, change, url, text, committed):
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    with committed():
        change(site)
    assert visible(client, url, text)


def test_removing_a_tag_empties_the_cached_tag_page(client, site, committed):
    assert visible(client, "/en/tags/databases/", "Pool sizing")
    with committed():
        untag(site)
    # The cached page is gone with it: a tag with nothing live is not public.
    assert client.get("/en/tags/databases/").status_code == 404


def test_a_new_confirmed_subscriber_count_shows_at_once(client, db, committed):
    Subscriber.objects.bulk_create(
        Subscriber(email=f"r{n}@example.com", status="confirmed") for n in range(19)
    )
    assert visible(client, "/en/newsletter/", "Join 10+ engineers.")
    with committed():  # the new count is announced when the signup commits
        Subscriber.objects.create(email="twentieth@example.com", status="confirmed")
    assert visible(client, "/en/newsletter/", "Join 20+ engineers.")


@pytest.fixture
def staff_client(db):
    user = get_user_model().objects.create_user("editor", password="x", is_staff=True)
    staff = Client()
    staff.force_login(user)
    return staff


def test_staff_neither_read_nor_fill_the_cache(client, staff_client, live_article):
    client.get("/en/")  # an anonymous copy is in the cache
    for _ in range(2):
        response = staff_client.get("/en/")
        assert not response.has_header("X-Page-Cache")
        assert "private" in response["Cache-Control"]
    staff_client.get("/en/posts/pool-sizing/")
    assert client.get("/en/posts/pool-sizing/")["X-Page-Cache"] == "miss"


def test_previews_and_per_reader_pages_are_never_cached(client, draft_article):
    from newsletter.tokens import confirm_token, unsubscribe_token

    reader = Subscriber.objects.create(email="reader@example.com", status="pending")
    urls = [
        preview_url(draft_article, "en"),
        f"/en/newsletter/confirm/{confirm_token(reader)}/",
        f"/en/newsletter/unsubscribe/{unsubscribe_token(reader)}/",
    ]
    for url in urls:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
            assert not response.has_header("X-Page-Cache"), url
            assert "public" not in response.get("Cache-Control", ""), url


def test_a_signup_posted_from_a_cached_page_works(client, live_article, immediate_tasks):
    client.get("/en/posts/pool-sizing/")
    page = client.get("/en/posts/pool-sizing/")
    assert page["X-Page-Cache"] == "hit"
    form = re.search(
        r'<form class="newsletter-form"[^>]*action="([^"]+)"(.*?)</form>', page.text, re.S
    )
    fields = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form.group(2)))
    fields["email"] = "cached@example.com"
    response = Client(enforce_csrf_checks=True).post(
        form.group(1),
        fields,
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 302
    assert Subscriber.objects.get().email == "cached@example.com"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "sitewide.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


def test_a_dead_redis_gives_pages_and_a_503_health_check(dead_redis, client, site, immediate_tasks):
    for url in ["/en/", "/en/posts/pool-sizing/", "/ru/series/guide/", "/en/feed/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Pool sizing" in response.content.decode() or "guide" in url
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["failed"] == ["cache"]
    assert health.json()["database"] == "ok"
    # An editor's save still works; a signup, whose rate limit is counted in the cache, waits
    # with a clear answer rather than going unlimited (issue 28, finding 12).
    response = client.post("/en/newsletter/subscribe/", {"email": "outage@example.com"})
    assert response.status_code == 503
    assert "try again in a few minutes" in response.content.decode()
    site.title_en = "Edited during the outage"
    site.save()
    assert visible(client, "/en/", "Edited during the outage")


def test_health_check_is_ok_when_every_part_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "failed": [], "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_copy_from_before_a_withdrawal_is_not_answered_304_by_its_date(
    client, live_article, make_article, committed
):
    newer = make_article(title_en="Withdrawn soon", published_at=timezone.now())
    before = client.get("/en/feed/")
    newer.status = Article.Status.DRAFT
    with committed():
        newer.save()
    # Same second or not, the feed's date moves on, so the old copy is replaced.
    response = client.get("/en/feed/", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert response.status_code == 200
    assert "Withdrawn soon" not in response.content.decode()


def test_a_hit_carries_the_same_headers_as_the_render(client, site):
    render = client.get("/ru/posts/pool-sizing/")
    hit = client.get("/ru/posts/pool-sizing/")
    assert hit["X-Page-Cache"] == "hit"
    for header in ("Content-Type", "Content-Language", "ETag", "Last-Modified", "X-Frame-Options"):
        assert hit[header] == render[header], header
    assert hit.content == render.content


@pytest.mark.template_context  # moves the clock at each template drawn
def test_a_copy_kept_a_second_is_replaced_not_revalidated_once_the_page_is_stored(
    client, site, settings
):
    """A render that overlaps a change is kept by proxies a second only; when they revalidate
    it, a 304 would leave nginx serving its `s-maxage=1` headers for an hour, so the stored
    page comes back whole, with its own ETag and lifetime."""
    from django.test.signals import template_rendered

    from sitewide import pagestore

    settings.SHARED_CACHE_SECONDS = 3600
    overlapped = []

    def change_during_render(**kwargs):
        if not overlapped:
            overlapped.append(True)
            pagestore.invalidate(["list:en"])

    template_rendered.connect(change_during_render)
    try:
        short = client.get("/en/")
    finally:
        template_rendered.disconnect(change_during_render)
    assert overlapped
    assert "s-maxage=1," in short["Cache-Control"]

    revalidated = client.get("/en/", HTTP_IF_NONE_MATCH=short["ETag"])
    assert revalidated.status_code == 200
    assert "s-maxage=3600" in revalidated["Cache-Control"]
    assert revalidated["ETag"] != short["ETag"]
    again = client.get("/en/", HTTP_IF_NONE_MATCH=revalidated["ETag"])
    assert again.status_code == 304
