"""sitewide.purge.NginxPurger against a stand-in for nginx's purge port (the real one is in
tests/test_prod.py): what it refreshes, what it purges, and when a refresh falls back to a
purge."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sitewide.purge import NginxPurger, PurgeError

SITE = "http://testserver"


class FakeNginx(BaseHTTPRequestHandler):
    """/_purge purges (X-Purge-Key, 404 when nothing was kept); any other address with
    X-Refresh answers as `answers` says for it (default: a 200 nginx keeps)."""

    answers = {}
    log = []

    def do_GET(self):
        if self.path == "/_purge":
            key = self.headers["X-Purge-Key"]
            self.log.append(("purge", key))
            status, headers = self.answers.get(("purge", key), (200, {}))
        elif self.headers.get("X-Refresh"):
            self.log.append(("refresh", self.path, self.headers["Host"]))
            status, headers = self.answers.get(
                self.path,
                (200, {"X-Cache-Status": "BYPASS", "Cache-Control": "max-age=0, s-maxage=3600"}),
            )
        else:
            status, headers = 404, {}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNginx)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    settings.PAGE_PURGE_URL = f"http://127.0.0.1:{server.server_port}/_purge"
    settings.SITE_URL = "https://blog.example"
    FakeNginx.answers, FakeNginx.log = {}, []
    yield FakeNginx
    server.shutdown()
    server.server_close()


def refreshed(nginx):
    return [entry[1] for entry in nginx.log if entry[0] == "refresh"]


def purged(nginx):
    return [entry[1] for entry in nginx.log if entry[0] == "purge"]


def test_the_most_read_addresses_are_refreshed_and_the_rest_purged(nginx, settings):
    settings.PAGE_REFRESH_LIMIT = 3
    urls = [
        f"{SITE}/en/?page=2",
        f"{SITE}/en/tags/databases/",
        f"{SITE}/en/",
        f"{SITE}/en/feed/",
        f"{SITE}/en/posts/withdrawn/",
    ]
    NginxPurger().purge(["list:en", "address:/en/posts/withdrawn/"], urls)
    # The change's own address first, then the shortest first pages.
    assert sorted(refreshed(nginx)) == sorted(["/en/posts/withdrawn/", "/en/", "/en/feed/"])
    # Asked for as the site's host, which the app serves.
    assert {entry[2] for entry in nginx.log if entry[0] == "refresh"} == {"blog.example"}
    paths = ["/en/", "/en/?page=2", "/en/feed/", "/en/posts/withdrawn/", "/en/tags/databases/"]
    # Past the limit, purged; every ActivityPub variant purged.
    assert sorted(purged(nginx)) == sorted(
        ["/en/?page=2", "/en/tags/databases/", *(path + ":activitypub" for path in paths)]
    )


def test_the_hubs_next_page_is_refreshed_before_one_tags_page(nginx, settings):
    settings.PAGE_REFRESH_LIMIT = 3
    paths = ["/en/tags/databases/", "/en/?page=37", "/en/?page=2", "/en/", "/en/feed/"]
    NginxPurger().purge(["list:en"], [f"{SITE}{path}" for path in paths])
    assert sorted(refreshed(nginx)) == sorted(["/en/", "/en/feed/", "/en/?page=2"])
    assert {"/en/tags/databases/", "/en/?page=37"} <= set(purged(nginx))


def test_a_sitemap_is_purged_not_refreshed(nginx, settings):
    # Near the front by its address, but a crawler's page: the refreshes go to readers' pages.
    settings.PAGE_REFRESH_LIMIT = 3
    paths = ["/sitemap.xml", "/sitemap-articles.xml?p=2", "/en/", "/en/feed/", "/en/?page=2"]
    NginxPurger().purge(["list:en"], [f"{SITE}{path}" for path in paths])
    assert sorted(refreshed(nginx)) == sorted(["/en/", "/en/feed/", "/en/?page=2"])
    assert {"/sitemap.xml", "/sitemap-articles.xml?p=2"} <= set(purged(nginx))


@pytest.mark.parametrize(
    "answer",
    [
        # A scheduled article due within the second: no shared cache may keep it.
        (200, {"X-Cache-Status": "BYPASS", "Cache-Control": "no-cache"}),
        (200, {"X-Cache-Status": "BYPASS", "Cache-Control": "private, no-cache"}),
        (200, {"X-Cache-Status": "BYPASS", "Cache-Control": "max-age=0"}),
        (200, {"X-Cache-Status": "BYPASS", "Cache-Control": "s-maxage=60", "Set-Cookie": "a=b"}),
        (500, {"X-Cache-Status": "BYPASS", "Cache-Control": "s-maxage=60"}),
        # A renamed article: nginx may not keep the 301; it is not followed either.
        (301, {"X-Cache-Status": "BYPASS", "Location": "https://blog.example/en/posts/new/"}),
        # An nginx.conf without the refresh location.
        (404, {}),
    ],
)
def test_a_refresh_nginx_would_not_keep_is_followed_by_a_purge(nginx, answer):
    nginx.answers["/en/posts/withdrawn/"] = answer
    NginxPurger().purge(["article:1"], [f"{SITE}/en/posts/withdrawn/", f"{SITE}/en/"])
    assert sorted(refreshed(nginx)) == ["/en/", "/en/posts/withdrawn/"]
    assert "/en/posts/withdrawn/" in purged(nginx)
    assert "/en/" not in purged(nginx)


def test_a_withdrawn_article_404_that_nginx_keeps_replaces_its_copy(nginx):
    nginx.answers["/en/posts/withdrawn/"] = (
        404,
        {"X-Cache-Status": "BYPASS", "Cache-Control": "max-age=0, s-maxage=1"},
    )
    NginxPurger().purge(["article:1"], [f"{SITE}/en/posts/withdrawn/"])
    assert refreshed(nginx) == ["/en/posts/withdrawn/"]
    assert purged(nginx) == ["/en/posts/withdrawn/:activitypub"]


def test_a_purge_nginx_refuses_is_an_error_for_the_retry(nginx, settings):
    settings.PAGE_REFRESH_LIMIT = 0
    nginx.answers[("purge", "/en/")] = (500, {})
    with pytest.raises(PurgeError):
        NginxPurger().purge(["list:en"], [f"{SITE}/en/"])


def test_nginx_away_is_an_error_for_the_retry(settings):
    settings.PAGE_PURGE_URL = "http://127.0.0.1:9/_purge"  # nothing listens there
    with pytest.raises(PurgeError):
        NginxPurger().purge(["list:en"], [f"{SITE}/en/"])
