"""Tag and author indexes, linked from every page; author feeds."""

import pytest
from conftest import count_cold

from articles.models import Article

pytestmark = pytest.mark.template_context  # reads response.context


@pytest.fixture
def site(make_article, make_tag, make_author, author):
    python = make_tag(slug="python", name_en="Python", name_ru="Питон")
    empty = make_tag(slug="empty", name_en="Nothing yet")
    make_article(slug="one", tags=[python], author=author)
    make_article(slug="two", tags=[python], author=author)
    make_article(slug="draft", tags=[python, empty], author=author, status=Article.Status.DRAFT)
    make_article(slug="off-ru", tags=[python], author=author, hidden_languages=["ru"])
    make_author(name="Silent Sam", slug="silent-sam")
    return python


def test_tag_index_lists_tags_with_live_article_counts(client, site):
    page = client.get("/en/tags/")
    assert page.status_code == 200
    counts = {tag.slug: tag.live_articles for tag in page.context["tags"]}
    assert counts == {"python": 3}  # no draft counted, no tag without a live article
    assert "3 articles" in page.content.decode()


def test_russian_tag_index_uses_russian_names_and_counts(client, site):
    page = client.get("/ru/tags/")
    assert {tag.slug: tag.live_articles for tag in page.context["tags"]} == {"python": 2}
    assert "Питон" in page.content.decode()


def test_author_index_lists_authors_with_bio_and_counts(client, site):
    page = client.get("/en/authors/")
    assert [(a.slug, a.live_articles) for a in page.context["authors"]] == [("ada-writer", 3)]
    html = page.content.decode()
    assert "Writes about databases." in html
    assert "Silent Sam" not in html


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_indexes_are_linked_from_every_page(client, site, lang):
    html = client.get(f"/{lang}/").content.decode()
    assert f'href="/{lang}/tags/"' in html
    assert f'href="/{lang}/authors/"' in html


def test_author_pages_link_their_feeds(client, site):
    html = client.get("/en/authors/ada-writer/").content.decode()
    assert (
        'type="application/rss+xml" title="Ada Writer (RSS)" href="/en/authors/ada-writer/feed/"'
        in html
    )
    assert 'href="/en/authors/ada-writer/feed/atom/"' in html


@pytest.mark.parametrize("url", ["/en/tags/", "/en/authors/"])
def test_indexes_run_a_constant_number_of_queries_on_a_cold_cache(
    client, make_article, make_tag, make_author, url
):
    def grow(count):
        for _ in range(count):
            make_article(tags=[make_tag()], author=make_author())

    grow(3)
    small = count_cold(client, url)
    grow(27)
    assert count_cold(client, url) == small
