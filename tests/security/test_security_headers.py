"""Security headers: one static CSP with no inline script, framing refused, features off."""

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User

from blogsite.csp import script_hash

PUBLIC_PAGES = [
    "/en/",
    "/ru/",
    "/en/posts/pool-sizing/",
    "/en/search/?q=pool",
    "/en/series/",
    "/en/archive/",
    "/en/newsletter/",
    "/en/posts/no-such-article/",  # the 404 page
    "/en/search/?q=%00",  # the 400 page
    "/robots.txt",
    "/en/feed/",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/articles/article/",
    "/admin/articles/article/add/",
    "/admin/newsletter/issue/add/",
    "/admin/articles/article/upcoming/",
]


def directives(response):
    header = response["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in header.split(";") if part.strip())
    }


class Scripts(HTMLParser):
    """Inline scripts and inline event handlers: what a CSP without unsafe-inline blocks."""

    def __init__(self, html):
        super().__init__()
        self.inline, self.handlers, self._in_inline = [], [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [name for name in attributes if name.startswith("on")]
        # JSON and JSON-LD blocks are data: browsers never run them, so the CSP ignores them.
        data_types = {"application/json", "application/ld+json", "text/template"}
        if tag == "script" and "src" not in attributes and attributes.get("type") not in data_types:
            self._in_inline = True
            self.inline.append("")

    def handle_endtag(self, tag):
        self._in_inline = False if tag == "script" else self._in_inline

    def handle_data(self, data):
        if self._in_inline:
            self.inline[-1] += data


@pytest.fixture
def pages(live_article, make_series):
    make_series(parts=2)
    return PUBLIC_PAGES


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create(username="root", is_staff=True, is_superuser=True))
    return client


def test_public_pages_carry_the_policy(client, pages):
    for path in pages:
        response = client.get(path)
        policy = directives(response)
        assert policy["script-src"][0] == "'self'", path
        assert "'unsafe-inline'" not in policy["script-src"]
        assert not any("nonce" in source for source in policy["script-src"])
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["default-src"] == ["'self'"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def test_the_policy_is_the_same_bytes_on_every_page(client, pages):
    headers = {client.get(path)["Content-Security-Policy"] for path in pages}
    assert len(headers) == 1


def test_the_policy_is_the_same_bytes_in_every_process():
    # Two app servers must send the same header, or a shared cache holds two versions.
    program = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'blogsite.settings'; "
        "django.setup(); from django.conf import settings; "
        "from blogsite.csp import policy; print(policy(settings.CONTENT_SECURITY_POLICY))"
    )
    # The three start together: each is a Django start-up, and none waits for another.
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", program],
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in ["1", "2", "3"]
    ]
    results = [(process.communicate(timeout=120), process.returncode) for process in processes]
    assert [code for _output, code in results] == [0, 0, 0], [err for (_, err), _ in results]
    assert len({out for (out, _err), _code in results}) == 1


def assert_every_script_is_allowed(response):
    page = Scripts(response.content.decode())
    allowed = directives(response)["script-src"]
    for text in page.inline:
        assert script_hash(text) in allowed, f"inline script not in the policy: {text[:80]}"
    assert not page.handlers, f"inline event handlers: {page.handlers}"


def test_every_inline_script_on_public_pages_is_allowed_by_hash(client, pages):
    for path in pages:
        response = client.get(path)
        if response["Content-Type"].startswith("text/html"):
            assert_every_script_is_allowed(response)


def test_the_theme_script_is_inline_and_allowed(client, db):
    page = Scripts(client.get("/en/").content.decode())
    assert len(page.inline) == 1
    assert "localStorage" in page.inline[0]


def test_admin_pages_have_no_script_the_policy_would_block(admin_client, live_article):
    for path in [*ADMIN_PAGES, f"/admin/articles/article/{live_article.pk}/change/"]:
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_every_script_is_allowed(response)


def test_the_login_page_cannot_be_framed(client, db):
    response = client.get("/admin/login/")
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert re.search(r"form-action 'self'", response["Content-Security-Policy"])
