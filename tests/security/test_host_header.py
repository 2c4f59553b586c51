"""Absolute links come from SITE_URL, never from the request's Host (issue 28, finding 5)."""

import pytest
from django.test import Client

PAGES = [
    "/en/",
    "/en/feed/",
    "/en/feed/atom/",
    "/sitemap.xml",
    "/robots.txt",
    "/en/posts/pool-sizing/",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("host", ["127.0.0.1:31337", "localhost:8080", "[::1]:9"])
def test_a_host_header_never_reaches_a_link(client, live_article, url, host):
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    body = response.content.decode()
    assert host not in body
    assert ":" + host.rsplit(":", 1)[1] + "/" not in body


def test_a_poisoned_request_does_not_poison_the_page_cache(client, live_article, settings):
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/en/feed/", HTTP_HOST="127.0.0.1:31337")
    cached = client.get("/en/feed/").content.decode()
    assert "31337" not in cached
    assert "http://testserver/en/posts/pool-sizing/" in cached


def test_a_host_we_do_not_serve_is_still_refused(db):
    client = Client(raise_request_exception=False)
    assert client.get("/en/", HTTP_HOST="evil.example").status_code == 400
