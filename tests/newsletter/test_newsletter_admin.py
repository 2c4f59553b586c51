import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter.models import Delivery, Issue, Subscriber
from newsletter.tasks import send_issue

pytestmark = pytest.mark.template_context  # reads response.context


@pytest.fixture
def editor(admin_user):
    admin_user.email = "editor@example.com"
    admin_user.save()
    return admin_user


@pytest.fixture
def issue(live_article):
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя", intro_en="Hello.")
    issue.articles.set([live_article])
    return issue


def issue_form(issue, **extra):
    return {
        "subject_en": issue.subject_en,
        "subject_ru": issue.subject_ru or "",
        "intro_en": issue.intro_en,
        "intro_ru": "",
        "articles": [article.pk for article in issue.articles.all()],
        "scheduled_at_0": "",
        "scheduled_at_1": "",
        **extra,
    }


def test_editors_export_the_selected_subscribers_as_csv(client, editor, make_subscriber):
    ada = make_subscriber(email="ada@example.com", consent_page="/en/")
    make_subscriber(email="other@example.com")
    client.force_login(editor)

    response = client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_csv", "_selected_action": [ada.pk]},
    )

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["email", "status", "language"]
    assert [row[0] for row in rows[1:]] == ["ada@example.com"]
    assert rows[1][4] == "/en/"


def test_a_subscriber_deleted_from_the_admin_is_gone_with_its_deliveries(
    client, editor, make_subscriber, issue
):
    reader = make_subscriber()
    Delivery.objects.create(issue=issue, subscriber=reader, status=Delivery.Status.SENT)
    client.force_login(editor)

    client.post(f"/admin/newsletter/subscriber/{reader.pk}/delete/", {"post": "yes"})

    assert not Subscriber.objects.exists()
    assert not Delivery.objects.exists()


def test_a_new_issue_preselects_the_articles_published_since_the_last_one(
    client, editor, make_article, draft_article
):
    old = make_article(slug="old", published_at=timezone.now() - timedelta(days=10))
    Issue.objects.create(
        subject_en="Last", status=Issue.Status.SENT, sent_at=timezone.now() - timedelta(days=7)
    )
    new = make_article(slug="new", published_at=timezone.now() - timedelta(days=2))
    client.force_login(editor)

    response = client.get("/admin/newsletter/issue/add/")

    assert list(response.context["adminform"].form.initial["articles"]) == [new.pk]
    choices = [pk for pk, _label in response.context["adminform"].form.fields["articles"].choices]
    assert draft_article.pk not in [getattr(pk, "value", pk) for pk in choices]
    assert old.pk in [getattr(pk, "value", pk) for pk in choices]


@pytest.mark.parametrize(
    ("language", "kind", "expected"),
    [
        ("en", "html", "<html"),
        ("en", "text", "Hello."),
        ("ru", "html", "Неделя"),
        ("ru", "text", "Неделя"),
    ],
)
def test_the_editor_previews_both_parts_in_both_languages(
    client, editor, issue, language, kind, expected
):
    client.force_login(editor)
    response = client.get(f"/admin/newsletter/issue/{issue.pk}/preview/{language}/{kind}/")
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "Pool sizing" in response.content.decode()
    assert mail.outbox == []


def test_the_change_page_links_the_previews(client, editor, issue):
    client.force_login(editor)
    response = client.get(f"/admin/newsletter/issue/{issue.pk}/change/")
    assert f"/admin/newsletter/issue/{issue.pk}/preview/ru/text/".encode() in response.content


def test_send_a_test_reaches_only_the_editor_in_both_languages(
    client, editor, issue, make_subscriber
):
    make_subscriber()
    client.force_login(editor)
    client.post(f"/admin/newsletter/issue/{issue.pk}/change/", issue_form(issue, _send_test="1"))
    assert [message.to for message in mail.outbox] == [[editor.email]] * 2
    assert [message.subject for message in mail.outbox] == ["Weekly", "Неделя"]
    assert not Delivery.objects.exists()


def test_schedule_queues_the_sending_for_its_time(client, editor, issue):
    client.force_login(editor)
    when = timezone.localtime() + timedelta(days=1)
    client.post(
        f"/admin/newsletter/issue/{issue.pk}/change/",
        issue_form(
            issue,
            _schedule="1",
            scheduled_at_0=when.strftime("%Y-%m-%d"),
            scheduled_at_1=when.strftime("%H:%M:%S"),
        ),
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    assert DBTaskResult.objects.earliest("run_after").run_after == issue.scheduled_at


def test_schedule_without_a_future_time_explains_and_does_nothing(client, editor, issue):
    client.force_login(editor)
    response = client.post(
        f"/admin/newsletter/issue/{issue.pk}/change/", issue_form(issue, _schedule="1"), follow=True
    )
    assert b"Set a send time in the future" in response.content
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    assert not DBTaskResult.objects.exists()


def moved_form(issue, when, **extra):
    local = timezone.localtime(when) if when else None
    return issue_form(
        issue,
        scheduled_at_0=local.strftime("%Y-%m-%d") if local else "",
        scheduled_at_1=local.strftime("%H:%M:%S") if local else "",
        **extra,
    )


def test_moving_a_scheduled_issue_to_a_later_time_queues_it_for_then(client, editor, issue):
    issue.schedule(timezone.now() + timedelta(days=1))
    old_turn = issue.turn
    client.force_login(editor)
    later = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    client.post(f"/admin/newsletter/issue/{issue.pk}/change/", moved_form(issue, later))
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.SCHEDULED, later)
    assert issue.turn != old_turn
    assert DBTaskResult.objects.filter(args_kwargs__args=[issue.pk, issue.turn]).exists()


@pytest.mark.parametrize("when", [None, timedelta(hours=-1)])
def test_moving_a_scheduled_issue_to_no_time_or_the_past_takes_it_back_to_draft(
    client, editor, issue, when
):
    issue.schedule(timezone.now() + timedelta(days=1))
    queued_turn = issue.turn
    client.force_login(editor)
    moved = None if when is None else timezone.now() + when
    response = client.post(
        f"/admin/newsletter/issue/{issue.pk}/change/", moved_form(issue, moved), follow=True
    )
    assert b"Back to draft" in response.content
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    assert send_issue.call(issue.pk, queued_turn) is False


def test_pressing_schedule_with_a_past_time_on_a_scheduled_issue_takes_it_back_to_draft(
    client, editor, issue
):
    issue.schedule(timezone.now() + timedelta(days=1))
    client.force_login(editor)
    past = timezone.now() - timedelta(days=1)
    response = client.post(
        f"/admin/newsletter/issue/{issue.pk}/change/",
        moved_form(issue, past, _schedule="1"),
        follow=True,
    )
    assert b"Set a send time in the future" in response.content
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_send_now_queues_it_and_the_page_shows_progress(client, editor, issue, make_subscriber):
    make_subscriber()
    make_subscriber()
    client.force_login(editor)
    client.post(f"/admin/newsletter/issue/{issue.pk}/change/", issue_form(issue, _send_now="1"))
    assert DBTaskResult.objects.earliest("run_after").run_after <= timezone.now()

    issue.refresh_from_db()
    send_issue.call(issue.pk, issue.turn)
    response = client.get(f"/admin/newsletter/issue/{issue.pk}/change/")
    page = response.content.decode()
    for state in ["Sent: 2", "Failed: 0", "To go: 0"]:
        assert f">{state}</a>" in page
    assert b'name="_send_now"' not in response.content


def test_the_first_issue_preselects_the_past_week_not_the_archive(client, editor, make_article):
    make_article(slug="archive", published_at=timezone.now() - timedelta(days=30))
    recent = make_article(slug="recent", published_at=timezone.now() - timedelta(days=2))
    client.force_login(editor)

    response = client.get("/admin/newsletter/issue/add/")

    assert list(response.context["adminform"].form.initial["articles"]) == [recent.pk]


def test_the_issue_page_explains_unknown_deliveries_and_an_outage(
    client, editor, issue, make_subscriber
):
    issue.status = Issue.Status.SENDING
    issue.outage_since = timezone.now()
    issue.outage_error = "[Errno 111] Connection refused"
    issue.save()
    Delivery.objects.create(issue=issue, subscriber=make_subscriber(), status="unknown")
    Delivery.objects.create(issue=issue, subscriber=make_subscriber(), status="retrying")
    client.force_login(editor)

    page = client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()

    assert "1 message was sent to its end, but the mail server&#x27;s answer never came" in page
    assert "not sent again" in page
    assert "The mail server cannot be reached since" in page
    assert "Connection refused" in page
    assert f"?issue__id__exact={issue.pk}&amp;status__exact=retrying" in page
