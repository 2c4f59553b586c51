"""Every page describes itself: canonical, description, Open Graph, Twitter card, JSON-LD."""

import pytest
from conftest import HOSTILE_TITLE, json_ld, meta_tags, of_type, scripts_outside_json_ld
from factories import new_article, new_author, new_series, new_tag
from lxml import html as lxml_html

from articles.models import Article


def build_site():
    author = new_author(name="Ada Writer", slug="ada-writer", bio_en="Writes about databases.")
    tag = new_tag(slug="databases", name_en="Databases", name_ru="Базы данных")
    series = new_series(
        parts=3, slug="guide", title_en="The guide", title_ru="Руководство", author=author
    )
    part = Article.objects.get(slug="guide-part-2")
    part.tags.add(tag)
    part.title_ru, part.body_ru, part.summary_ru = "Часть вторая", "Текст.", "Кратко о главном."
    part.save()
    new_article(slug="solo", title_en="Standalone", author=author, tags=[tag])
    return series, tag


@pytest.fixture
def site(db, made_once):
    # Made once for the module, copied into each test that reads it.
    return made_once("site", build_site)


PAGES = {
    "article": "/{lang}/posts/guide-part-2/",
    "series": "/{lang}/series/guide/",
    "tag": "/{lang}/tags/databases/",
    "author": "/{lang}/authors/ada-writer/",
    "hub": "/{lang}/",
    "tags": "/{lang}/tags/",
    "authors": "/{lang}/authors/",
    "archive": "/{lang}/archive/",
}
MAIN_TYPE = {
    "article": "BlogPosting",
    "series": "CollectionPage",
    "tag": "CollectionPage",
    "author": "ProfilePage",
    "hub": "Blog",
    "tags": "CollectionPage",
    "authors": "CollectionPage",
    "archive": "CollectionPage",
}


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_type_describes_itself_in_both_languages(client, site, kind, lang):
    url = PAGES[kind].format(lang=lang)
    page = client.get(url).content.decode()
    tags = meta_tags(page)
    absolute = f"http://testserver{url}"
    tree = lxml_html.fromstring(page)
    assert tree.xpath('//link[@rel="canonical"]/@href') == [absolute]
    assert tags["description"][0]
    assert tags["og:url"] == [absolute]
    assert tags["og:title"][0]
    assert tags["og:description"][0]
    assert tags["og:image"][0].startswith("http://testserver/media/social/")
    assert tags["og:image:width"] == ["1200"]
    assert tags["og:image:height"] == ["630"]
    assert tags["og:image:alt"][0]
    assert tags["og:locale"] == [{"en": "en_US", "ru": "ru_RU"}[lang]]
    assert tags["og:locale:alternate"] == [{"en": "ru_RU", "ru": "en_US"}[lang]]
    assert tags["twitter:card"] == ["summary_large_image"]
    main = of_type(json_ld(page), MAIN_TYPE[kind])
    assert main["@context"] == "https://schema.org"
    if kind != "hub":
        crumbs = of_type(json_ld(page), "BreadcrumbList")["itemListElement"]
        assert crumbs[0]["item"] == f"http://testserver/{lang}/"
        assert crumbs[-1]["item"] == absolute
        assert [crumb["position"] for crumb in crumbs] == list(range(1, len(crumbs) + 1))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_article_json_ld_carries_author_dates_image_language_and_series(client, site, lang):
    page = client.get(f"/{lang}/posts/guide-part-2/").content.decode()
    posting = of_type(json_ld(page), "BlogPosting")
    assert posting["headline"] == {"en": "Guide part 2", "ru": "Часть вторая"}[lang]
    assert posting["inLanguage"] == lang
    assert posting["author"] == {
        "@type": "Person",
        "name": "Ada Writer",
        "url": f"http://testserver/{lang}/authors/ada-writer/",
    }
    article = Article.objects.get(slug="guide-part-2")
    assert posting["datePublished"].startswith(article.published_at.isoformat()[:19])
    assert posting["dateModified"].startswith(article.updated_at.isoformat()[:19])
    assert posting["image"]["width"] == 1200
    assert posting["image"]["height"] == 630
    assert posting["mainEntityOfPage"]["@id"] == f"http://testserver/{lang}/posts/guide-part-2/"
    assert posting["isPartOf"]["@type"] == "CreativeWorkSeries"
    assert posting["isPartOf"]["name"] == {"en": "The guide", "ru": "Руководство"}[lang]
    assert posting["isPartOf"]["url"] == f"http://testserver/{lang}/series/guide/"
    assert posting["keywords"] == [{"en": "Databases", "ru": "Базы данных"}[lang]]
    tags = meta_tags(page)
    assert tags["og:type"] == ["article"]
    assert tags["article:author"] == [f"http://testserver/{lang}/authors/ada-writer/"]
    assert tags["article:tag"] == [{"en": "Databases", "ru": "Базы данных"}[lang]]
    assert tags["article:published_time"][0].startswith(article.published_at.isoformat()[:19])
    assert tags["article:modified_time"][0]
    if lang == "ru":
        assert tags["description"] == ["Кратко о главном."]


def test_author_page_describes_a_person(client, site):
    page = client.get("/en/authors/ada-writer/").content.decode()
    person = of_type(json_ld(page), "Person")
    assert person["name"] == "Ada Writer"
    assert person["url"] == "http://testserver/en/authors/ada-writer/"
    assert meta_tags(page)["og:type"] == ["profile"]


def test_series_page_lists_its_live_parts_and_uses_its_own_image(client, site):
    page = client.get("/en/series/guide/").content.decode()
    collection = of_type(json_ld(page), "CollectionPage")
    assert [part["headline"] for part in collection["hasPart"]] == [
        "Guide part 1",
        "Guide part 2",
        "Guide part 3",
    ]
    assert "/media/social/series-" in meta_tags(page)["og:image"][0]


def strings_in(data):
    if isinstance(data, dict):
        return [text for value in data.values() for text in strings_in(value)]
    if isinstance(data, list):
        return [text for value in data for text in strings_in(value)]
    return [data] if isinstance(data, str) else []


@pytest.mark.parametrize("where", ["title_en", "summary_en", "title_ru", "summary_ru"])
def test_what_an_author_writes_stays_inside_json_and_attributes(client, make_article, where):
    fields = {"title_ru": "Перевод", "body_ru": "Текст.", where: HOSTILE_TITLE}
    make_article(slug="hostile", **fields)
    for lang in ("en", "ru"):
        page = client.get(f"/{lang}/posts/hostile/").content.decode()
        # Nowhere in the page does the text become markup: not in JSON, attributes or body.
        assert "<script>alert(1)" not in page
        assert all("alert(1)" not in script for script in scripts_outside_json_ld(page))
        blocks = json_ld(page)  # every block still parses as JSON
        # Not the English summary on the Russian page: its Russian title has none under it.
        if where.endswith(f"_{lang}"):
            assert HOSTILE_TITLE in strings_in(blocks), lang
        for values in meta_tags(page).values():
            assert all("<script>" not in value or value == HOSTILE_TITLE for value in values)


def test_hostile_title_round_trips_through_every_channel(client, make_article):
    make_article(slug="hostile", title_en=HOSTILE_TITLE, summary_en=HOSTILE_TITLE)
    page = client.get("/en/posts/hostile/").content.decode()
    posting = of_type(json_ld(page), "BlogPosting")
    assert posting["headline"] == HOSTILE_TITLE
    assert posting["description"] == HOSTILE_TITLE
    tags = meta_tags(page)
    assert tags["og:title"] == [HOSTILE_TITLE]
    assert tags["twitter:description"] == [HOSTILE_TITLE]
    assert lxml_html.fromstring(page).xpath("//title")[0].text.startswith(HOSTILE_TITLE)


def test_an_untranslated_article_says_its_text_is_english(client, make_article):
    make_article(slug="english", title_en="Only in English")
    page = client.get("/ru/posts/english/").content.decode()
    assert of_type(json_ld(page), "BlogPosting")["inLanguage"] == "en"
    # Open Graph's locale is that of the tags' text (its English title and summary), and no
    # alternate locale is named: the article exists in English only.
    assert meta_tags(page)["og:locale"] == ["en_US"]
    assert "og:locale:alternate" not in meta_tags(page)
