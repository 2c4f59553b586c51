"""The language switcher leads every reader to the same page in the other language."""

import itertools
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.test import Client
from factories import new_article, new_author, new_tag

from newsletter.models import Subscriber
from newsletter.tokens import confirm_token, unsubscribe_token
from series.models import Series, SeriesPart

OTHER = {"en": "ru", "ru": "en"}

# Every public page type, as a reader opens it; {lang} is the edition it is opened in.
PAGES = {
    "hub": "/{lang}/",
    "hub page 2": "/{lang}/?page=2",
    # A parameter some view reads is carried over (utm_* and the like are dropped before any
    # view sees them: the canonical page is answered, see test_page_cache.py).
    "article": "/{lang}/posts/pool-sizing/?q=feed",
    "article without translation": "/{lang}/posts/untranslated/",
    "series list": "/{lang}/series/",
    "series hub": "/{lang}/series/guide/",
    "tag": "/{lang}/tags/databases/",
    "author": "/{lang}/authors/ada-writer/",
    "archive": "/{lang}/archive/",
    "archive year": "/{lang}/archive/{year}/",
    "search": "/{lang}/search/?q=" + quote("пул sizing") + "&page=1",
    "newsletter signup": "/{lang}/newsletter/",
    "newsletter check inbox": "/{lang}/newsletter/check-your-inbox/",
    "newsletter confirm": "/{lang}/newsletter/confirm/{confirm}/",
    "newsletter confirmed": "/{lang}/newsletter/confirmed/",
    "newsletter unsubscribe": "/{lang}/newsletter/unsubscribe/{unsubscribe}/",
    "404": "/{lang}/no-such-page/?page=x",
}

# What a reader brings: a language cookie from an earlier visit, and a browser preference.
READERS = list(itertools.product([None, "en", "ru"], [None, "en", "ru", "de"]))


def reader(cookie, accept):
    client = Client(headers={"accept-language": accept} if accept else {})
    if cookie:
        client.cookies["django_language"] = cookie
    return client


def without_trailing_slash(url):
    path, _, query = url.partition("?")
    return path.rstrip("/") + (f"?{query}" if query else "")


def same_address(url, other_url):
    url, other_url = urlsplit(url), urlsplit(other_url)
    return url.path == other_url.path and parse_qs(url.query) == parse_qs(other_url.query)


def switcher_link(page, language):
    link = re.search(rf'<a href="([^"]+)" hreflang="{language}"', page.content.decode())
    return link.group(1).replace("&amp;", "&")


def build_site_pages():
    author = new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")
    tag = new_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    article = new_article(
        title_en="Pool sizing",
        title_ru="Размер пула",
        slug="pool-sizing",
        body_ru="## Зачем\n\nПотому что.",
        author=author,
        tags=[tag],
    )
    new_article(title_en="Untranslated", slug="untranslated", author=author)
    series = Series.objects.create(slug="guide", title_en="The guide", title_ru="Руководство")
    for position in range(1, 3):
        part = new_article(slug=f"guide-part-{position}", author=author)
        SeriesPart.objects.create(series=series, article=part, position=position)
    for _ in range(10):  # enough for a second hub page
        new_article(author=author)
    subscriber = Subscriber.objects.create(email="reader@example.com")
    return {
        "year": article.published_at.year,
        "confirm": confirm_token(subscriber),
        "unsubscribe": unsubscribe_token(subscriber),
    }


@pytest.fixture
def site_pages(db, made_once):
    # One site for every page type: made once for the module, copied into each test.
    return made_once("site pages", build_site_pages)


@pytest.mark.parametrize("page_type", PAGES)
def test_switcher_leads_every_reader_to_the_same_page_in_the_other_language(site_pages, page_type):
    status = 404 if page_type == "404" else 200
    for language, other in OTHER.items():
        url = PAGES[page_type].format(lang=language, **site_pages)
        expected = PAGES[page_type].format(lang=other, **site_pages)

        # The link is the same for every reader (public pages are cached): it is built
        # from the address alone, and the redirect behind it must work for any reader.
        for cookie, accept in [(None, None), (language, other)]:
            page = reader(cookie, accept).get(url)
            assert page.status_code == status
            assert switcher_link(page, other) == f"/i18n/switch/{other}/?next={quote(url)}"

        for (cookie, accept), slash in itertools.product(READERS, [True, False]):
            next_url = url if slash else without_trailing_slash(url)
            response = reader(cookie, accept).get(f"/i18n/switch/{other}/", {"next": next_url})
            assert response.status_code == 302
            location = expected if slash else without_trailing_slash(expected)
            assert response["Location"] == location, (language, cookie, accept, slash)
            assert response.cookies["django_language"].value == other

        # Followed without the trailing slash by a reader who prefers the page's language:
        # the other edition, query kept, and the slash put back where the page exists.
        client = reader(language, language)
        next_url = without_trailing_slash(url)
        landed = client.get(f"/i18n/switch/{other}/", {"next": next_url}, follow=True)
        assert landed.status_code == status
        final = expected if status == 200 else without_trailing_slash(expected)
        assert same_address(landed.redirect_chain[-1][0], final)
        assert f'<html lang="{other}">' in landed.content.decode()


@pytest.mark.parametrize(("language", "accept"), itertools.product(["en", "ru"], [None, "de"]))
def test_the_choice_is_remembered_for_the_bare_address(client, db, language, accept):
    client.cookies["django_language"] = OTHER[language]
    headers = {"accept-language": accept or OTHER[language]}
    response = client.get(f"/i18n/switch/{language}/", {"next": "/"}, headers=headers)
    assert response["Location"] == "/"
    assert client.get("/", headers=headers)["Location"] == f"/{language}/"


def test_a_missing_pages_alternates_point_at_the_other_edition(client, db):
    page = client.get("/ru/no-such-page/").content.decode()
    assert 'hreflang="en" href="http://testserver/en/no-such-page/"' in page
