"""The sitemap: every public address with lastmod and hreflang, valid, nothing noindexed."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from lxml import etree
from lxml import html as lxml_html
from sitemap_pages import sitemap_pages, sitemap_text, whole_sitemap

from articles.models import Article
from articles.sitemaps import ArticleSitemap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def site(make_series, make_article, make_tag, author, scheduled_article, draft_article):
    tag = make_tag(slug="databases")
    make_series(parts=2, slug="guide")
    part = Article.objects.get(slug="guide-part-1")
    part.title_ru, part.body_ru = "Часть первая", "Текст."
    part.save()
    make_article(slug="everywhere", title_ru="Везде", body_ru="Текст.", tags=[tag], author=author)
    make_article(slug="english-only", tags=[tag], author=author, hidden_languages=["ru"])
    make_article(slug="last-year", author=author, published_at=timezone.now() - timedelta(days=400))
    return tag


def sitemap(client):
    return whole_sitemap(client)


def locations(root):
    return set(root.xpath("//s:url/s:loc/text()", namespaces=NS))


def test_sitemap_validates_against_the_schema(client, site):
    index = etree.XMLSchema(etree.parse(str(FIXTURES / "siteindex.xsd")))
    index.assertValid(etree.fromstring(client.get("/sitemap.xml").content))
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "sitemap-hreflang.xsd")))
    for page in sitemap_pages(client):
        schema.assertValid(page)


def test_the_index_schema_check_can_fail(client, site):
    index = etree.XMLSchema(etree.parse(str(FIXTURES / "siteindex.xsd")))
    root = etree.fromstring(client.get("/sitemap.xml").content)
    etree.SubElement(root[0], f"{{{NS['s']}}}priority").text = "0.5"
    assert not index.validate(root)


def test_articles_come_in_pages_of_bounded_size_each_once(client, site, make_article, monkeypatch):
    # Pages of 3 article ids: the site's articles span several, every page has some and at
    # most 3 in each language, and every live article is on exactly one, in each language
    # it is shown in.
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    for number in range(7):
        make_article(slug=f"more-{number}")
    Article.objects.filter(slug="more-3").delete()  # a gap among the ids
    index = client.get("/sitemap.xml").content.decode()
    count = index.count("/sitemap-articles.xml")
    listed = []
    for number in range(1, count + 1):
        page = etree.fromstring(client.get("/sitemap-articles.xml", {"p": number}).content)
        articles = page.xpath("//s:url/s:loc/text()", namespaces=NS)
        assert 1 <= len(articles) <= 3 * len(settings.LANGUAGES), number
        listed += articles
    assert count >= 4
    assert len(listed) == len(set(listed))
    expected = {
        f"http://testserver/{code}/posts/{article.slug}/"
        for article in Article.objects.live()
        for code in article.languages
        if code not in article.hidden_languages
    }
    assert set(listed) == expected
    for page in [str(count + 1), "0", "-1", "x", "1.5", ""]:
        assert client.get("/sitemap-articles.xml", {"p": page}).status_code == 404, page


def article_pages_in_index(client):
    return client.get("/sitemap.xml").content.decode().count("/sitemap-articles.xml")


def test_the_article_pages_follow_publishing(
    client, site, make_article, monkeypatch, django_capture_on_commit_callbacks
):
    # Which blocks of ids hold a live article is kept between changes: a publish that opens a
    # block adds its page, withdrawing the last articles of a block takes it away.
    monkeypatch.setattr(ArticleSitemap, "limit", 3)

    def blocks():
        return len({(article.pk - 1) // 3 for article in Article.objects.live()})

    assert article_pages_in_index(client) == blocks()
    new = [make_article(slug=f"later-{number}") for number in range(4)]
    assert article_pages_in_index(client) == blocks()
    with django_capture_on_commit_callbacks(execute=True):  # what follows the commit
        for article in new:
            article.unpublish()
    assert article_pages_in_index(client) == blocks()
    listed = sitemap_text(client)
    assert not any(f"/posts/{article.slug}/" in listed for article in new)


def test_a_new_site_has_a_valid_sitemap_of_its_pages_only(client, db):
    index = etree.fromstring(client.get("/sitemap.xml").content)
    etree.XMLSchema(etree.parse(str(FIXTURES / "siteindex.xsd"))).assertValid(index)
    pages = sitemap_pages(client)
    assert len(pages) == 1  # the hub and the indexes: every other section is empty
    etree.XMLSchema(etree.parse(str(FIXTURES / "sitemap-hreflang.xsd"))).assertValid(pages[0])


def test_the_schema_check_can_fail(client, site):
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "sitemap-hreflang.xsd")))
    root = sitemap(client)
    etree.SubElement(root[0], "{http://www.w3.org/1999/xhtml}link", rel="alternate", href="x")
    assert not schema.validate(root)


def test_every_public_address_is_listed_with_lastmod(client, site):
    root = sitemap(client)
    found = locations(root)
    this_year, last_year = timezone.now().year, timezone.now().year - 1
    for lang in ("en", "ru"):
        for path in [
            "",
            "posts/everywhere/",
            "posts/guide-part-1/",
            "series/",
            "series/guide/",
            "tags/",
            "tags/databases/",
            "authors/",
            "authors/ada-writer/",
            "archive/",
            f"archive/{this_year}/",
            f"archive/{last_year}/",
        ]:
            assert f"http://testserver/{lang}/{path}" in found, (lang, path)
    assert all(url.find("s:lastmod", NS) is not None for url in root.findall("s:url", NS))


def test_every_listed_address_answers_200_and_is_not_noindex(client, site):
    for location in locations(sitemap(client)):
        response = client.get(location.removeprefix("http://testserver"))
        assert response.status_code == 200, location
        robots = lxml_html.fromstring(response.content).xpath('//meta[@name="robots"]/@content')
        assert "noindex" not in " ".join(robots), location


def test_unpublished_and_kept_off_addresses_are_left_out(client, site):
    found = locations(sitemap(client))
    assert not any("/posts/scheduled/" in url or "/posts/draft/" in url for url in found)
    assert "http://testserver/en/posts/english-only/" in found
    assert "http://testserver/ru/posts/english-only/" not in found
    assert Article.objects.get(slug="english-only").is_live


def test_alternates_name_both_languages_only_where_both_exist(client, site):
    root = sitemap(client)

    def alternates(location):
        url = root.xpath(f'//s:url[s:loc="{location}"]', namespaces=NS)[0]
        return {link.get("hreflang") for link in url.findall("x:link", NS)}

    assert alternates("http://testserver/ru/posts/everywhere/") == {"en", "ru", "x-default"}
    assert alternates("http://testserver/en/posts/english-only/") == {"en", "x-default"}
