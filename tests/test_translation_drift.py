from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article


@pytest.fixture
def translated(make_article):
    return make_article(
        slug="pools",
        title_en="Pools",
        body_en="## Size\n\nTwenty connections.",
        title_ru="Пулы",
        body_ru="## Размер\n\nДвадцать соединений.",
    )


def reload(article):
    return Article.objects.get(pk=article.pk)


def test_a_new_translation_follows_the_current_english(translated):
    assert translated.translation_behind_since is None
    assert translated.translation_source == translated.english_text()


def test_changing_the_english_puts_the_translation_behind(translated, monkeypatch):
    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    translated.body_en = "## Size\n\nTwenty-four connections."
    translated.save()
    article = reload(translated)
    assert article.translation_behind_since == later
    assert article.english_updated_at == later
    assert "-Twenty connections." in article.english_changes()
    assert "+Twenty-four connections." in article.english_changes()


def test_a_second_english_change_keeps_the_first_date(translated):
    translated.body_en += "\n\nMore."
    translated.save()
    first = reload(translated).translation_behind_since
    translated.body_en += "\n\nEven more."
    translated.save()
    assert reload(translated).translation_behind_since == first


def test_saving_the_fixed_translation_clears_it(translated):
    translated.body_en = "## Size\n\nTwenty-four connections."
    translated.save()
    translated.body_ru = "## Размер\n\nДвадцать четыре соединения."
    translated.save()
    article = reload(translated)
    assert article.translation_behind_since is None
    assert article.translation_source == article.english_text()


def test_saving_without_text_changes_does_not_put_it_behind(translated):
    translated.status = Article.Status.PUBLISHED
    translated.save()
    assert reload(translated).translation_behind_since is None


def test_untranslated_article_is_never_behind(make_article):
    article = make_article(title_en="Only English")
    article.body_en = "Changed."
    article.save()
    assert reload(article).translation_behind_since is None


def test_russian_page_says_the_original_was_updated_and_links_to_it(client, translated):
    Article.objects.filter(pk=translated.pk).update(
        translation_behind_since=timezone.now(),
        english_updated_at=datetime(2026, 6, 1, 9, tzinfo=UTC),
    )
    russian = client.get("/ru/posts/pools/").content.decode()
    assert "Оригинал обновлён 1 июня 2026 г." in russian
    assert '<a href="/en/posts/pools/" hreflang="en">' in russian
    english = client.get("/en/posts/pools/").content.decode()
    assert "translation-behind-note" not in english


def test_current_translation_shows_no_notice(client, translated):
    assert "translation-behind-note" not in client.get("/ru/posts/pools/").content.decode()


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw-123456!")
    client.force_login(user)
    return client


def test_admin_lists_translations_behind_and_shows_the_english_changes(editor_client, translated):
    translated.body_en = "## Size\n\nTwenty-four connections."
    translated.save()
    listing = editor_client.get("/admin/articles/article/?translation=behind").content.decode()
    assert "Translations behind the English since" in listing
    assert "Pools" in listing
    change = editor_client.get(f"/admin/articles/article/{translated.pk}/change/").content.decode()
    assert '<span class="diff-added">+Twenty-four connections.</span>' in change


def test_editor_marks_a_translation_current(editor_client, translated):
    translated.body_en = "Changed."
    translated.save()
    editor_client.post(
        "/admin/articles/article/",
        {"action": "mark_translation_current", "_selected_action": [translated.pk]},
    )
    assert reload(translated).translation_behind_since is None
