"""Tag and author pages and feeds with nothing live are not public (issue 28, finding 16)."""

import pytest

PAGES = ["/en/tags/{tag}/", "/en/tags/{tag}/feed/", "/en/tags/{tag}/feed/atom/"]
AUTHOR_PAGES = ["/en/authors/{author}/", "/en/authors/{author}/feed/"]


@pytest.mark.parametrize("url", PAGES)
def test_a_tag_with_only_unpublished_articles_is_404(
    client, make_tag, draft_article, scheduled_article, url
):
    tag = make_tag(name_en="Upcoming launch", slug="upcoming-launch")
    draft_article.tags.set([tag])
    scheduled_article.tags.set([tag])
    response = client.get(url.format(tag=tag.slug))
    assert response.status_code == 404
    assert b"Upcoming launch" not in response.content


@pytest.mark.parametrize("url", AUTHOR_PAGES)
def test_an_author_with_nothing_live_is_404(client, make_author, make_article, url):
    editor = make_author(name="Erin Editor", slug="erin-editor")
    make_article(author=editor, status="draft")
    response = client.get(url.format(author=editor.slug))
    assert response.status_code == 404
    assert b"Erin Editor" not in response.content


@pytest.mark.parametrize("url", PAGES + AUTHOR_PAGES)
def test_a_tag_or_author_with_a_live_article_is_public(client, make_tag, make_article, url):
    tag = make_tag(slug="live-tag")
    article = make_article(tags=[tag])
    response = client.get(url.format(tag=tag.slug, author=article.author.slug))
    assert response.status_code == 200
