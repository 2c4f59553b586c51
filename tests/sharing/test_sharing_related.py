"""Related reading: next part first, then shared tags, then the same author; live and listed."""

from datetime import timedelta

import pytest
from conftest import count_cold
from django.utils import timezone

from articles.models import Article
from series.models import SeriesPart

# What is tested is the list a change stores (tests/conftest.py, `related_reading`).
pytestmark = [pytest.mark.related_reading, pytest.mark.template_context]


def related(client, slug, lang="en"):
    response = client.get(f"/{lang}/posts/{slug}/")
    assert response.status_code == 200
    return [article.slug for article in response.context["related"]]


def test_next_part_comes_first_then_shared_tags_then_same_author(
    client, make_series, make_article, make_tag, make_author, author
):
    make_series(parts=3)
    one, two = make_tag(), make_tag()
    part = Article.objects.get(slug="guide-part-1")
    part.tags.set([one, two])
    stranger = make_author()
    make_article(slug="both-tags", tags=[one, two], author=stranger)
    make_article(slug="one-tag", tags=[one], author=stranger)
    make_article(slug="unrelated", author=stranger)
    assert related(client, "guide-part-1") == ["guide-part-2", "both-tags", "one-tag"]


def test_same_author_fills_in_when_no_tag_is_shared(client, make_article, author, make_author):
    make_article(slug="mine", author=author)
    make_article(slug="also-mine", author=author)
    make_article(slug="someone-elses", author=make_author())
    assert set(related(client, "mine")) == {"also-mine"}


def test_a_scheduled_next_part_is_never_shown(client, make_series):
    series = make_series(parts=3)
    later = SeriesPart.objects.get(series=series, position=2).article
    later.published_at = timezone.now() + timedelta(days=3)
    later.save()
    shown = related(client, "guide-part-1")
    assert "guide-part-2" not in shown
    assert shown[0] == "guide-part-3"  # the next live part
    page = client.get("/en/posts/guide-part-1/").content.decode()
    assert "Guide part 2" not in page


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW])
def test_drafts_and_articles_in_review_are_never_shown(
    client, make_article, make_tag, author, status
):
    tag = make_tag()
    make_article(slug="shown", tags=[tag], author=author)
    make_article(slug="hidden", tags=[tag], author=author, status=status)
    assert "hidden" not in related(client, "shown")


def test_articles_kept_off_a_language_are_not_suggested_in_it(
    client, make_article, make_tag, author
):
    tag = make_tag()
    make_article(slug="here", tags=[tag], author=author)
    make_article(slug="english-only", tags=[tag], author=author, hidden_languages=["ru"])
    assert "english-only" in related(client, "here", "en")
    assert "english-only" not in related(client, "here", "ru")


def test_related_titles_are_in_the_page_language(client, make_article, make_tag, author):
    tag = make_tag()
    make_article(slug="here", tags=[tag], author=author)
    make_article(slug="there", tags=[tag], author=author, title_ru="Там", body_ru="Текст.")
    page = client.get("/ru/posts/here/").content.decode()
    assert "Там" in page.split('id="related-title"', 1)[1]


def test_article_page_queries_stay_constant_on_a_cold_cache(client, make_article, make_tag, author):
    tags = [make_tag() for _ in range(3)]
    make_article(slug="subject", tags=tags, author=author)
    for number in range(3):
        make_article(slug=f"small-{number}", tags=tags[:2], author=author)
    small = count_cold(client, "/en/posts/subject/")
    for number in range(30):
        make_article(slug=f"large-{number}", tags=tags, author=author)
    assert count_cold(client, "/en/posts/subject/") == small
