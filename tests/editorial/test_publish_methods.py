"""Article.publish() and Article.unpublish(): the rule the admin actions apply."""

from datetime import timedelta

import pytest

from articles.models import Article

pytestmark = pytest.mark.template_context  # reads response.context


def test_publish_makes_a_draft_live_now(draft_article, now):
    assert draft_article.publish() is True
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.PUBLISHED
    assert draft_article.is_live
    assert now <= draft_article.published_at
    assert Article.objects.live().filter(pk=draft_article.pk).exists()


def test_publish_at_a_future_time_schedules(draft_article, now):
    moment = now + timedelta(days=3)
    assert draft_article.publish(at=moment) is True
    draft_article.refresh_from_db()
    assert draft_article.state == Article.State.SCHEDULED
    assert draft_article.published_at == moment
    assert not Article.objects.live().filter(pk=draft_article.pk).exists()


def test_publish_moves_a_scheduled_article(scheduled_article, now):
    assert scheduled_article.publish() is True
    scheduled_article.refresh_from_db()
    assert scheduled_article.is_live


def test_publish_leaves_a_live_article_and_its_date_alone(live_article, now):
    before = live_article.published_at
    assert live_article.publish(at=now + timedelta(days=1)) is False
    live_article.refresh_from_db()
    assert live_article.published_at == before
    assert live_article.is_live


def test_unpublish_takes_live_and_scheduled_articles_back_to_draft(live_article, scheduled_article):
    for article in (live_article, scheduled_article):
        assert article.unpublish() is True
        article.refresh_from_db()
        assert (article.status, article.published_at) == (Article.Status.DRAFT, None)
        assert not Article.objects.live().filter(pk=article.pk).exists()


def test_unpublish_leaves_drafts_and_reviews_alone(draft_article, make_article):
    review = make_article(status=Article.Status.REVIEW, published_at=None)
    for article in (draft_article, review):
        status = article.status
        assert article.unpublish() is False
        article.refresh_from_db()
        assert article.status == status


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Scheduled 1 article for March 1, 2031, 12:01 p.m. (UTC)."),
        ("ru", "1 статья запланирована на 1 марта 2031 г. 12:01 (UTC)."),
    ],
)
def test_schedule_message_ends_with_one_full_stop(
    editor_client, draft_article, settings, language, expected
):
    settings.TIME_ZONE = "UTC"
    response = editor_client.post(
        "/admin/articles/article/",
        {
            "action": "schedule",
            "_selected_action": [draft_article.pk],
            "index": 0,
            "apply": 1,
            "publish_at": "2031-03-01T12:01",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [expected]
    assert not any(".." in message for message in messages)
