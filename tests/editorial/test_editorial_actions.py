from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from reversion.models import Version

from articles.models import Article

pytestmark = pytest.mark.template_context  # reads response.context

CHANGELIST = "/admin/articles/article/"


def run_action(client, action, articles, **data):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in articles], "index": 0, **data},
    )


def history(article):
    return list(
        LogEntry.objects.filter(object_id=str(article.pk)).values_list("change_message", flat=True)
    )


def test_publish_now_makes_a_draft_live_and_logs_it(editor_client, draft_article, editor):
    run_action(editor_client, "publish_now", [draft_article])
    draft_article.refresh_from_db()
    assert draft_article.is_live
    entry = LogEntry.objects.get(object_id=str(draft_article.pk))
    assert entry.user == editor
    assert entry.get_change_message() == "Published now."
    page = editor_client.get(f"{CHANGELIST}{draft_article.pk}/history/").content.decode()
    assert "Published now." in page


def test_publish_now_leaves_a_live_article_and_its_date_alone(editor_client, live_article):
    before = live_article.published_at
    run_action(editor_client, "publish_now", [live_article])
    live_article.refresh_from_db()
    assert live_article.published_at == before
    assert history(live_article) == []


def test_unpublish_takes_a_live_article_down_and_logs_it(editor_client, client, live_article):
    run_action(editor_client, "unpublish", [live_article])
    live_article.refresh_from_db()
    assert live_article.status == Article.Status.DRAFT
    assert history(live_article) == ["Unpublished: back to draft."]
    client.logout()
    assert client.get(live_article.get_absolute_url()).status_code == 404


def test_schedule_asks_for_a_time_first(editor_client, draft_article, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    response = run_action(editor_client, "schedule", [draft_article])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="datetime-local"' in page
    assert "Time zone: Europe/Moscow." in page
    assert draft_article.title in page
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT


def test_schedule_reads_the_time_in_the_sites_time_zone(editor_client, draft_article, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    run_action(editor_client, "schedule", [draft_article], apply=1, publish_at="2031-03-01T12:00")
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.PUBLISHED
    # Moscow is UTC+3 all year round.
    assert draft_article.published_at == datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    assert history(draft_article) == ["Scheduled for March 1, 2031, noon (Europe/Moscow)."]


def test_schedule_refuses_a_time_in_the_past(editor_client, draft_article):
    response = run_action(
        editor_client, "schedule", [draft_article], apply=1, publish_at="2001-01-01T10:00"
    )
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT
    assert history(draft_article) == []


@pytest.mark.parametrize("value", ["", "tomorrow", "2031-02-30T10:00"])
def test_schedule_refuses_nonsense(editor_client, draft_article, value):
    response = run_action(editor_client, "schedule", [draft_article], apply=1, publish_at=value)
    assert response.status_code == 200
    draft_article.refresh_from_db()
    assert draft_article.status == Article.Status.DRAFT


def test_scheduled_article_is_hidden_until_its_second_then_live(
    editor_client, client, draft_article, clock
):
    due = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    local = timezone.localtime(due).strftime("%Y-%m-%dT%H:%M")
    run_action(editor_client, "schedule", [draft_article], apply=1, publish_at=local)
    client.logout()
    url = draft_article.get_absolute_url()
    assert client.get(url).status_code == 404
    clock.move_to(due - timedelta(seconds=1))
    assert client.get(url).status_code == 404
    clock.move_to(due)
    assert client.get(url).status_code == 200


def test_actions_are_recorded_as_revisions_with_their_message(editor_client, draft_article):
    run_action(editor_client, "publish_now", [draft_article])
    version = Version.objects.get_for_object(draft_article).get()
    assert version.revision.get_comment() == "Published now."


def test_changelist_shows_state_badges_and_translations(editor_client, make_article, now):
    make_article(title_en="A draft", status=Article.Status.DRAFT)
    make_article(title_en="Waiting", status=Article.Status.REVIEW)
    make_article(title_en="Soon", published_at=now + timedelta(days=1))
    make_article(title_en="Out", title_ru="Вышла", body_ru="Текст")
    page = editor_client.get(CHANGELIST).content.decode()
    for state, label in [("draft", "Draft"), ("review", "In review"), ("scheduled", "Scheduled")]:
        assert f'<span class="state-badge state-{state}">{label}</span>' in page
    assert '<span class="state-badge state-live">Live</span>' in page
    assert "RU ✓" in page
    assert "RU ✗" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=draft", {"A draft"}),
        ("state=review", {"Waiting"}),
        ("state=scheduled", {"Soon"}),
        ("state=live", {"Out"}),
        ("translation=ru", {"Out"}),
        ("translation=-ru", {"A draft", "Waiting", "Soon"}),
    ],
)
def test_changelist_filters_by_state_and_translation(
    editor_client, make_article, now, query, expected
):
    make_article(title_en="A draft", status=Article.Status.DRAFT, title_ru="")
    make_article(title_en="Waiting", status=Article.Status.REVIEW, title_ru="Ждёт")
    make_article(title_en="Soon", published_at=now + timedelta(days=1))
    make_article(title_en="Out", title_ru="Вышла", body_ru="Текст")
    response = editor_client.get(f"{CHANGELIST}?{query}")
    titles = {article.title_en for article in response.context["cl"].result_list}
    assert titles == expected


def test_upcoming_lists_scheduled_articles_by_day(editor_client, make_article, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    # 22:30 UTC is already the next day in Moscow.
    start = (timezone.now() + timedelta(days=3)).replace(hour=22, minute=30, second=0)
    make_article(title_en="Late one", published_at=start)
    make_article(title_en="Next morning", published_at=start + timedelta(hours=9))
    make_article(title_en="Far away", published_at=start + timedelta(weeks=20))
    make_article(title_en="Already out")
    response = editor_client.get(f"{CHANGELIST}upcoming/")
    assert response.status_code == 200
    days = response.context["days"]
    assert len(days) == 1
    assert [a.title_en for a in days[0][1]] == ["Late one", "Next morning"]
    assert days[0][0] == timezone.localtime(start).date()
    page = response.content.decode()
    assert "Far away" not in page
    assert "Already out" not in page
    assert "EN ✓" in page
    assert f'href="{CHANGELIST}upcoming/"' in editor_client.get(CHANGELIST).content.decode()
