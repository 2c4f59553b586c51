"""A control character typed or pasted into any text field is refused with a clear message."""

import pytest
from django.urls import reverse

from articles.models import Article, Tag

CONTROL = ["\x0b", "\x00", "\x1f", "\x08", "\x0c", "\ufffe"]


def article_form(article, **changes):
    return {
        "title_en": article.title_en,
        "slug": article.slug,
        "summary_en": article.summary_en or "",
        "body_en": article.body_en or "",
        "author": article.author_id,
        "status": article.status,
        **changes,
    }


# Each character once, each field at least once.
CASES = list(
    zip(
        CONTROL,
        ["title_en", "summary_en", "body_en", "title_ru", "summary_ru", "slug"],
        strict=True,
    )
)


@pytest.mark.parametrize(("char", "field"), CASES, ids=[f"{f}-U+{ord(c):04X}" for c, f in CASES])
def test_the_article_form_refuses_a_control_character(admin_client, live_article, char, field):
    url = reverse("admin:articles_article_change", args=[live_article.pk])
    response = admin_client.post(
        url, article_form(live_article, **{field: f"Quarterly notes{char}part one"})
    )
    assert response.status_code == 200
    assert "control character" in response.content.decode() or field == "slug"
    assert "errorlist" in response.content.decode()
    live_article.refresh_from_db()
    assert getattr(live_article, field) != f"Quarterly notes{char}part one"


def test_line_breaks_and_tabs_are_ordinary_text(admin_client, live_article):
    url = reverse("admin:articles_article_change", args=[live_article.pk])
    body = "Line one\r\n\tindented\nline three"
    response = admin_client.post(url, article_form(live_article, body_en=body))
    assert response.status_code == 302
    assert Article.objects.get(pk=live_article.pk).body_en.replace("\r\n", "\n") == body.replace(
        "\r\n", "\n"
    )


def test_the_tag_form_refuses_a_control_character(admin_client):
    response = admin_client.post(
        reverse("admin:articles_tag_add"), {"name_en": "Ops\x0bnotes", "slug": "ops"}
    )
    assert "invisible control character" in response.content.decode()
    assert not Tag.objects.exists()
