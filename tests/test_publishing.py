from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article


def test_live_includes_published_article_in_the_past(live_article):
    assert list(Article.objects.live()) == [live_article]


def test_live_excludes_drafts(draft_article):
    assert not Article.objects.live().exists()


def test_live_excludes_articles_in_review(make_article):
    make_article(status=Article.Status.REVIEW)
    assert not Article.objects.live().exists()


def test_live_excludes_scheduled_articles(scheduled_article):
    assert not Article.objects.live().exists()


def test_article_is_live_from_its_exact_second(make_article, clock):
    make_article(slug="due", published_at=timezone.now())
    make_article(slug="one-second-early", published_at=timezone.now() + timedelta(seconds=1))
    assert list(Article.objects.live().values_list("slug", flat=True)) == ["due"]


def test_scheduled_article_becomes_live_without_any_edit(make_article, clock):
    due = timezone.now() + timedelta(hours=1)
    make_article(slug="later", published_at=due)
    assert not Article.objects.live().exists()
    clock.move_to(due)
    assert Article.objects.live().get().slug == "later"


def test_publishing_without_a_date_publishes_now(author):
    before = timezone.now()
    article = Article.objects.create(
        title_en="Now", slug="now", author=author, status=Article.Status.PUBLISHED
    )
    assert article.published_at >= before
    assert article.is_live


@pytest.mark.parametrize("fixture", ["draft_article", "scheduled_article"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_unpublished_article_is_404_everywhere(client, request, fixture, language):
    article = request.getfixturevalue(fixture)
    tag = article.tags.create(slug="databases", name_en="Databases")
    pages = [
        f"/{language}/posts/{article.slug}/",
        f"/{language}/",
        f"/{language}/tags/{tag.slug}/",
        f"/{language}/authors/{article.author.slug}/",
        f"/{language}/feed/",
        f"/{language}/feed/atom/",
        f"/{language}/tags/{tag.slug}/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
    ]
    detail = client.get(pages[0])
    assert detail.status_code == 404
    for url in pages[1:]:
        response = client.get(url)
        # A tag or author with nothing live is not public at all (issue 28, finding 16).
        assert response.status_code == (404 if "/tags/" in url or "/authors/" in url else 200), url
        assert article.title.encode() not in response.content, url
        assert f"/posts/{article.slug}/".encode() not in response.content, url
