import re
from datetime import UTC, datetime

import pytest
from factories import new_ada_writer, new_article
from sitemap_pages import sitemap_text

from articles.models import Article


def test_root_redirects_to_english_by_default(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_root_follows_accept_language(client, db):
    response = client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert response["Location"] == "/ru/"


def test_root_prefers_the_language_cookie_to_accept_language(client, db):
    client.cookies["django_language"] = "ru"
    response = client.get("/", headers={"accept-language": "en"})
    assert response["Location"] == "/ru/"


def test_hub_heading_and_tagline(client, db):
    english = client.get("/en/").content.decode()
    russian = client.get("/ru/").content.decode()
    assert "<h1>Engineering insights</h1>" in english
    assert 'class="tagline"' in english
    assert "<h1>Инженерные инсайты</h1>" in russian


def test_hub_cards_show_title_summary_date_reading_time_and_author(client, make_article, author):
    make_article(
        title_en="Pool sizing",
        summary_en="Size the pool to cores.",
        body_en="word " * 2600,
        published_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
        author=author,
    )
    page = client.get("/en/").content.decode()
    assert "Pool sizing" in page
    assert "Size the pool to cores." in page
    assert re.search(r"June 1, 2026</time> · 12 min · <a [^>]*>Ada Writer</a>", page)


def test_russian_card_has_russian_date_and_minutes(client, make_article):
    make_article(
        body_en="word " * 2600,
        published_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
    )
    page = client.get("/ru/").content.decode()
    assert "1 июня 2026 г.</time> · 12 мин" in page


def test_hub_lists_newest_first(client, make_article, now):
    make_article(title_en="Older", published_at=datetime(2026, 1, 1, tzinfo=UTC))
    make_article(title_en="Newer", published_at=datetime(2026, 2, 1, tzinfo=UTC))
    page = client.get("/en/").content.decode()
    assert page.index("Newer") < page.index("Older")


def test_article_page_shows_body_toc_meta_and_author_box(client, live_article):
    page = client.get("/en/posts/pool-sizing/").content.decode()
    assert "<h1>Pool sizing</h1>" in page
    assert 'class="article-toc"' in page
    assert '<h2 id="first">First</h2>' in page
    assert 'class="author-box"' in page
    assert "Writes about databases." in page


def test_article_page_shows_cover_image_with_alt_text(client, make_article, settings):
    # The size is given: the file does not exist, and Django would read the size from it.
    article = make_article(
        cover_image="covers/x.png", cover_width=1200, cover_height=630, cover_alt_en="A dashboard"
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<img src="/media/covers/x.png" alt="A dashboard"' in page


def test_translated_card_has_no_en_mark(client, make_article):
    make_article(title_en="Pools", title_ru="Пулы", summary_ru="Кратко.", body_ru="Текст")
    page = client.get("/ru/").content.decode()
    assert "Пулы" in page
    assert ">EN</abbr>" not in page


def test_russian_page_shows_russian_fields(client, make_article):
    article = make_article(
        title_en="Pools",
        title_ru="Пулы",
        summary_ru="Кратко.",
        body_en="English",
        body_ru="Русский",
    )
    page = client.get(f"/ru/posts/{article.slug}/").content.decode()
    assert "<h1>Пулы</h1>" in page
    assert "Русский" in page
    assert 'lang="en"' not in page.split("<main", 1)[1].split('class="author-box"')[0]


def test_russian_page_marks_english_fallback(client, make_article):
    article = make_article(title_en="Pools", body_en="English body", summary_en="Short.")
    page = client.get(f"/ru/posts/{article.slug}/").content.decode()
    assert '<h1 lang="en">Pools</h1>' in page
    assert '<div class="prose" lang="en">' in page
    assert '<p class="lede" lang="en">Short.</p>' in page
    assert "Эта статья ещё не переведена" in page


def test_russian_hub_card_marks_english_fallback(client, make_article):
    make_article(title_en="Pools", summary_en="Short.")
    page = client.get("/ru/").content.decode()
    assert re.search(r'<h2 class="card-title"><a href="[^"]+" lang="en">Pools</a><abbr', page)
    assert ">EN</abbr>" in page
    assert '<p class="card-summary" lang="en">Short.</p>' in page


@pytest.fixture
def translated_article(live_article):
    """Written in both languages: each is an alternate of the other."""
    live_article.title_ru, live_article.body_ru = "Размер пула", "Текст."
    live_article.save()
    return live_article


@pytest.mark.parametrize(("language", "other"), [("en", "ru"), ("ru", "en")])
def test_every_page_has_html_lang_and_hreflang_alternates(
    client, translated_article, language, other
):
    page = client.get(f"/{language}/posts/pool-sizing/").content.decode()
    assert f'<html lang="{language}">' in page
    assert f'hreflang="{other}" href="http://testserver/{other}/posts/pool-sizing/"' in page
    assert 'hreflang="x-default" href="http://testserver/en/posts/pool-sizing/"' in page


def test_language_switcher_leads_to_the_same_page_and_remembers_the_choice(client, live_article):
    page = client.get("/en/posts/pool-sizing/?q=x&utm=x").content.decode()
    link = re.search(r'<a href="([^"]+)" hreflang="ru"', page).group(1).replace("&amp;", "&")
    # The query a view reads is kept; utm_* and the like never reach the page.
    assert link == "/i18n/switch/ru/?next=/en/posts/pool-sizing/%3Fq%3Dx"
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "/ru/posts/pool-sizing/?q=x"
    assert response.cookies["django_language"].value == "ru"
    assert client.get("/", headers={"accept-language": "en"})["Location"] == "/ru/"


def test_language_switcher_refuses_to_redirect_elsewhere(client, db):
    response = client.get("/i18n/switch/ru/?next=https://evil.example/")
    assert response["Location"] == "/"
    assert client.get("/i18n/switch/de/?next=/en/").status_code == 404


def test_tag_and_author_pages_list_live_articles(client, make_article, make_tag, author):
    tag = make_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    make_article(title_en="Tagged", tags=[tag], author=author)
    assert "Tagged" in client.get("/en/tags/databases/").content.decode()
    assert "Базы данных" in client.get("/ru/tags/databases/").content.decode()
    assert "Tagged" in client.get("/en/authors/ada-writer/").content.decode()


def test_feeds_list_live_articles(client, live_article, scheduled_article):
    rss = client.get("/en/feed/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert b"Pool sizing" in rss.content
    assert b"Coming next week" not in rss.content
    atom = client.get("/ru/feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"/ru/posts/pool-sizing/" in atom.content


def test_sitemap_lists_both_languages(client, translated_article):
    xml = sitemap_text(client)
    assert "http://testserver/en/posts/pool-sizing/" in xml
    assert 'hreflang="ru" href="http://testserver/ru/posts/pool-sizing/"' in xml


def test_robots_and_health(client, db):
    assert b"Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content
    assert client.get("/healthz").json()["status"] == "ok"


def make_eleven():
    author = new_ada_writer()
    for _ in range(11):
        new_article(author=author)


class TestPagination:
    @pytest.fixture
    def eleven(self, db, made_once):
        # Eleven live articles, made once for the module and copied into each of the eight tests.
        made_once("eleven", make_eleven)

    def test_ten_cards_a_page(self, client, eleven):
        first = client.get("/en/").content.decode()
        second = client.get("/en/?page=2").content.decode()
        assert first.count('class="card"') == 10
        assert second.count('class="card"') == 1
        assert 'rel="next" href="?page=2"' in first
        assert 'rel="prev" href="?page=1"' in second

    @pytest.mark.parametrize("page", ["abc", "0", "-1", "3", "9999", "1.5"])
    def test_bad_or_out_of_range_page_is_404(self, client, eleven, page):
        assert client.get(f"/en/?page={page}").status_code == 404

    def test_a_control_character_in_the_page_is_a_bad_request(self, client, eleven):
        assert client.get("/en/?page=%00").status_code == 400

    def test_empty_hub_is_a_page_not_an_error(self, client, db):
        response = client.get("/en/")
        assert response.status_code == 200
        assert "Nothing has been published here yet." in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en/posts/no-such-article/",
        "/de/",
        "/de/posts/x/",
        "/en/posts/%3Cscript%3E/",
        "/en/posts/../../etc/passwd",
        "/en/tags/nope/",
        "/en/authors/nope/",
        "/en/tags/nope/feed/",
        "/ru/posts/привет/",
    ],
)
def test_bad_addresses_get_a_404_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 404


def test_a_nul_byte_in_the_address_is_a_bad_request(client, db):
    assert client.get("/en/posts/a%00b/").status_code == 400


def test_404_page_is_translated(client, db):
    page = client.get("/ru/posts/nope/").content.decode()
    assert "Страница не найдена" in page


def test_article_model_str_and_url(live_article):
    assert str(live_article) == "Pool sizing"
    assert live_article.get_absolute_url() == "/en/posts/pool-sizing/"
    assert Article.objects.live().count() == 1


def test_editors_rename_the_site_per_language(client, db):
    from sitewide.models import SiteSettings

    site = SiteSettings.load()
    site.name_en = "Field notes"
    site.tagline_ru = "Заметки с передовой."
    site.save()
    english = client.get("/en/").content.decode()
    russian = client.get("/ru/").content.decode()
    assert "<h1>Field notes</h1>" in english
    assert "<title>Field notes</title>" in english
    assert "<h1>Инженерные инсайты</h1>" in russian
    assert '<p class="tagline">Заметки с передовой.</p>' in russian


@pytest.mark.parametrize(
    ("count", "english", "russian"),
    [
        (1, "1 article", "1 статья"),
        (3, "3 articles", "3 статьи"),
        (5, "5 articles", "5 статей"),
        (11, "11 articles", "11 статей"),
        (21, "21 articles", "21 статья"),
    ],
)
def test_article_counts_use_the_right_plural_form(
    client, make_article, make_tag, count, english, russian
):
    tag = make_tag(slug="databases")
    for _ in range(count):
        make_article(tags=[tag])
    assert english in client.get("/en/tags/databases/").content.decode()
    assert russian in client.get("/ru/tags/databases/").content.decode()


def test_favicon_address_leads_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    assert response["Location"].startswith("/static/")


def test_numbers_in_attributes_are_never_grouped(client, make_article):
    article = make_article(
        cover_image="covers/x.png", cover_width=1200, cover_height=630, cover_alt_en="A dashboard"
    )
    Article.objects.filter(pk=article.pk).update(cover_renditions_of="covers/x.png")
    for language in ["en", "ru"]:
        page = client.get(f"/{language}/posts/{article.slug}/").content.decode()
        assert 'width="1200" height="630"' in page


def test_a_cross_site_post_gets_a_translated_403_page(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/ru/newsletter/subscribe/",
        {"email": "reader@example.org"},
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403
    assert "Отправлено с другого сайта" in response.content.decode()
