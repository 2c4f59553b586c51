"""Every public URL pattern, fed each class of hostile input, answers below 500.

The patterns come from the resolver, so a page added later is swept without touching
this file.
"""

import re
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# One value per class of input the audit used; each goes in every path parameter and in
# the query string (as `q`, `page`, `next` and a name no view reads).
HOSTILE = {
    "nul": "a\x00b",
    "control characters": "\x01\x08\x0b\x1b[31m\x7f\x85",
    "newline and tab": "x\r\nSet-Cookie: a=b\tc",
    "very long": "ю" * 5000,
    "long ascii": "a" * 3000,
    "operator soup": '!(&|:*<->\'"\\)~^ -- ; /* */ "unclosed !!! && || :* <-> <2>',
    "tsquery syntax": "a & !b | (c <-> d):* & 'e':A",
    "sql": "' OR '1'='1' -- ; DROP TABLE articles_article; --",
    "markup": '"><script>alert(1)</script><img src=x onerror=alert(1)>',
    "traversal": "../../../../etc/passwd",
    "format strings": "%s%s%n{0}{self.__class__}${jndi:ldap://x}",
    "odd unicode": "\u202e\ufeff\u200b\U0001f4a9\ud7ff\uffff",
    "numbers": "-1e309",
    "huge number": "9" * 400,
    "empty": "",
    "dots": ".",
}
RAW_QUERIES = ["%ff%fe%00", "q=%ZZ", "page=%c0%af", "&&&==&", "q[]=1&q[]=2", "a=" + "%41" * 600]

# The admin site: anonymous visitors are sent to its login page. (Other pages under admin/,
# such as an invitation's set-password link, are public and swept.)
STAFF_PREFIXES = ("admin/",)
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


# The mail providers' webhooks (django-anymail's, ~30 addresses) all pass through one wrapper
# of ours (blogsite.views.webhook_patterns), which answers before anymail's view unless the
# provider is the site's: one provider's addresses stand for the others'.
MAIL_WEBHOOKS = re.compile(r"^anymail/\^?(?P<provider>[a-z_]+)/")
SWEPT_MAIL_PROVIDER = "postmark"


def public_routes(patterns=None, prefix=""):
    """The route of every URL pattern, with `<converter:name>` left in place."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith(STAFF_PREFIXES):
                continue
            yield from public_routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            webhook = MAIL_WEBHOOKS.match(prefix + route)
            if webhook and webhook["provider"] != SWEPT_MAIL_PROVIDER:
                continue
            yield prefix + route


def addresses(value, language):
    """The addresses to try for one hostile value: in every parameter, or in the query."""
    encoded = quote(value, safe="")
    query = "&".join(f"{name}={encoded}" for name in ["q", "page", "next", "zz"])
    for route in sorted(set(public_routes())):
        path = "/" + re.sub(r"^en/", f"{language}/", route)
        yield PARAMETER.sub(encoded, path) if "<" in path else f"{path}?{query}"


@pytest.fixture
def site(make_series, make_tag, live_article):
    """One of each kind of page, so a sweep reaches past the 404s too."""
    live_article.tags.add(make_tag(slug="databases"))
    make_series(parts=2)


def test_the_sweep_covers_the_public_pages():
    routes = set(public_routes())
    assert {"en/search/", "en/posts/<slug:slug>/", "sitemap.xml", "healthz"} <= routes
    assert {"anymail/postmark/inbound/", "anymail/postmark/tracking/"} <= routes
    assert "anymail/sendgrid/tracking/" not in routes
    assert "admin/login/" not in routes


def test_hostile_input_never_gets_a_server_error(client, site):
    # Every class of input goes to every route once, in one edition: the classes take turns
    # between English and Russian (the same views under another prefix and language), so
    # each edition meets half the classes at every route, at half the requests of sweeping
    # both. A route outside the language prefixes (the API, federation, mail webhooks) is
    # the same address in both.
    failures = {}
    for turn, (kind, value) in enumerate(HOSTILE.items()):
        language = ["en", "ru"][turn % 2]
        for address in sorted(set(addresses(value, language))):
            status = client.get(address).status_code
            if status >= 500:
                failures[f"{kind}: {address[:100]}"] = status
    assert not failures


def test_malformed_query_strings_never_get_a_server_error(client, site):
    failures = {}
    for query in RAW_QUERIES:
        for route in sorted(set(public_routes())):
            if "<" not in route:
                address = f"/{route}?{query}"
                status = client.get(address).status_code
                if status >= 500:
                    failures[address[:100]] = status
    assert not failures


@pytest.mark.parametrize("kind", ["nul", "control characters", "newline and tab"])
def test_control_characters_get_a_clear_400_page(client, db, kind):
    encoded = quote(HOSTILE[kind], safe="")
    for address in [f"/en/search/?q={encoded}", f"/en/posts/{encoded}/", f"/ru/?page={encoded}"]:
        response = client.get(address)
        assert response.status_code == 400, address
        assert b"<html" in response.content


def test_over_long_addresses_get_a_400(client, db):
    assert client.get("/en/search/?q=" + "a" * 9000).status_code == 400
    assert client.get("/en/posts/" + "a" * 2000 + "/").status_code == 400


SOUP = ["!!!", "(((", "a & | b", "'", '"', "<->", ":*", "-", "!(a|b", "\\", "a:*:*", "OR OR"]


def test_raw_non_ascii_in_the_query_is_text_not_control_characters(client, live_article):
    # Some clients send UTF-8 unescaped; its bytes must not be read as C1 controls.
    raw = "q=соединений".encode().decode("latin-1")  # as WSGI hands it over (PEP 3333)
    response = client.generic("GET", "/ru/search/", QUERY_STRING=raw)
    assert response.status_code == 200


def test_search_answers_operator_soup_with_a_page(client, site):
    for query in SOUP:
        assert client.get("/ru/search/", {"q": query}).status_code == 200, query


def test_search_still_finds_words_around_operator_soup(client, make_article):
    make_article(title_en="Connection pooling in depth", slug="pooling")
    response = client.get("/en/search/", {"q": "pooling & !! (( <->"})
    assert response.status_code == 200
    # The title comes back with the matched word highlighted; the link is the article's.
    assert 'href="/en/posts/pooling/"' in response.content.decode()
