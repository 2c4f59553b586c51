from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article


def change_page(client, article):
    return client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()


@pytest.mark.parametrize(
    ("status", "offset"),
    [(Article.Status.DRAFT, -1), (Article.Status.REVIEW, -1), (Article.Status.PUBLISHED, 3)],
    ids=["draft", "in-review", "scheduled"],
)
def test_view_on_site_of_an_unpublished_article_opens_its_preview(
    editor_client, make_article, status, offset
):
    article = make_article(status=status, published_at=timezone.now() + timedelta(days=offset))
    page = change_page(editor_client, article)
    assert "/en/preview/" in page
    assert article.get_absolute_url() not in page


def test_view_on_site_of_a_live_article_opens_its_page(editor_client, make_article):
    article = make_article()
    page = change_page(editor_client, article)
    assert f'href="{article.get_absolute_url()}"' in page
    assert "/en/preview/" not in page
