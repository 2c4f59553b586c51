from datetime import timedelta

import pytest
from django.core import signing

from articles.models import Article
from articles.preview import SALT, preview_token


def preview_path(article, language="en"):
    return f"/{language}/preview/{preview_token(article)}/"


@pytest.mark.parametrize("fixture", ["draft_article", "scheduled_article"])
def test_preview_link_shows_an_unpublished_article_to_anyone(client, request, fixture):
    article = request.getfixturevalue(fixture)
    response = client.get(preview_path(article))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{article.title}</h1>" in page
    assert 'class="preview-banner"' in page


def test_preview_of_an_article_in_review(client, make_article):
    article = make_article(title_en="Reviewed", status=Article.Status.REVIEW)
    assert "In review; not public yet." in client.get(preview_path(article)).content.decode()


def test_preview_is_noindex_and_never_cached(client, draft_article):
    response = client.get(preview_path(draft_article))
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_draft_preview_in_russian(client, make_article):
    article = make_article(
        title_en="Pools", title_ru="Пулы", body_ru="## Зачем\n\nТекст.", status="draft"
    )
    response = client.get(preview_path(article, "ru"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Пулы</h1>" in page
    assert "Предпросмотр" in page
    assert "/i18n/switch/en/?next=/ru/preview/" in page  # the language switcher keeps it


def test_tampered_token_is_a_clear_404(client, draft_article):
    token = preview_token(draft_article)
    forged = signing.dumps(draft_article.pk + 1, salt=SALT, key="not-our-secret")
    for bad in [token[:-2] + "xx", forged, "nonsense"]:
        response = client.get(f"/en/preview/{bad}/")
        assert response.status_code == 404
        assert "This preview link does not work" in response.content.decode()
        assert response["X-Robots-Tag"] == "noindex"


def test_expired_token_is_a_clear_404(client, draft_article, settings, clock):
    settings.PREVIEW_LINK_MAX_AGE_DAYS = 3
    path = preview_path(draft_article)
    clock.shift(timedelta(days=3, seconds=1))
    response = client.get(path)
    assert response.status_code == 404
    assert "more than 3 days old" in response.content.decode()


def test_token_for_another_purpose_does_not_open_a_preview(client, draft_article):
    token = signing.dumps(draft_article.pk, salt="newsletter.confirm")
    assert client.get(f"/en/preview/{token}/").status_code == 404


def test_preview_of_a_live_article_goes_to_its_public_page(client, live_article):
    response = client.get(preview_path(live_article))
    assert response.status_code == 302
    assert response.url == "/en/posts/pool-sizing/"


def test_admin_page_offers_the_preview_link_in_both_languages(editor_client, draft_article):
    page = editor_client.get(f"/admin/articles/article/{draft_article.pk}/change/").content.decode()
    assert 'value="http://testserver/en/preview/' in page
    assert 'value="http://testserver/ru/preview/' in page
