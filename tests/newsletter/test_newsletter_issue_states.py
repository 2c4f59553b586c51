"""The rules of an issue's sending: Issue.schedule(), send_now() and cancel()."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter.models import Issue
from newsletter.tasks import send_issue


@pytest.fixture
def issue(live_article):
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя")
    issue.articles.set([live_article])
    return issue


def stored(issue):
    issue.refresh_from_db()
    return issue


def queued_times():
    return sorted(DBTaskResult.objects.values_list("run_after", flat=True))


def test_schedule_queues_the_sending_and_its_backup_for_a_future_time(issue, settings):
    when = timezone.now() + timedelta(hours=3)
    assert issue.schedule(when) is True
    assert stored(issue).status == Issue.Status.SCHEDULED
    assert issue.scheduled_at == when
    lease = timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)
    assert queued_times() == [when, when + lease]


def test_schedule_without_an_argument_uses_the_send_time_already_set(issue):
    issue.scheduled_at = timezone.now() + timedelta(days=2)
    issue.save()
    assert issue.schedule() is True
    assert queued_times()[0] == issue.scheduled_at


@pytest.mark.parametrize("offset", [None, timedelta(0), -timedelta(minutes=1), -timedelta(days=30)])
def test_schedule_refuses_a_missing_or_past_time_and_changes_nothing(issue, offset):
    when = None if offset is None else timezone.now() + offset
    assert issue.schedule(when) is False
    assert stored(issue).status == Issue.Status.DRAFT
    assert issue.scheduled_at is None
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("status", [Issue.Status.SENDING, Issue.Status.SENT])
def test_an_issue_that_has_started_sending_cannot_be_scheduled_sent_or_cancelled(issue, status):
    Issue.objects.filter(pk=issue.pk).update(status=status, turn="current")
    issue = stored(issue)
    assert issue.schedule(timezone.now() + timedelta(days=1)) is False
    assert issue.send_now() is False
    assert issue.cancel() is False
    assert (stored(issue).status, issue.turn) == (status, "current")
    assert not DBTaskResult.objects.exists()


def test_rescheduling_leaves_the_earlier_task_with_nothing_to_do(issue, make_subscriber):
    make_subscriber()
    issue.schedule(timezone.now() + timedelta(hours=1))
    first_turn = issue.turn
    issue.schedule(timezone.now() + timedelta(hours=2))
    assert issue.turn != first_turn
    assert send_issue.call(issue.pk, first_turn) is False
    assert mail.outbox == []


@pytest.mark.parametrize("scheduled", [False, True])
def test_send_now_queues_the_sending_for_now(issue, scheduled):
    if scheduled:
        issue.schedule(timezone.now() + timedelta(days=1))
    before = timezone.now()
    assert issue.send_now() is True
    assert stored(issue).status == Issue.Status.SCHEDULED
    assert before <= issue.scheduled_at <= timezone.now()
    due = DBTaskResult.objects.filter(run_after__lte=timezone.now())
    assert list(due.values_list("args_kwargs", flat=True)) == [
        {"args": [issue.pk, issue.turn], "kwargs": {}}
    ]


def test_cancel_takes_a_scheduled_issue_back_to_draft_and_its_task_sends_nothing(
    issue, make_subscriber
):
    make_subscriber()
    issue.send_now()
    turn = issue.turn
    assert issue.cancel() is True
    assert stored(issue).status == Issue.Status.DRAFT
    assert send_issue.call(issue.pk, turn) is False
    assert mail.outbox == []
    assert not issue.deliveries.exists()


def test_cancel_keeps_the_send_time_so_the_editor_can_schedule_again(issue):
    when = timezone.now() + timedelta(days=1)
    issue.schedule(when)
    issue.cancel()
    assert stored(issue).scheduled_at == when
    assert issue.schedule() is True


def test_a_draft_has_nothing_to_cancel(issue):
    assert issue.cancel() is False
    assert stored(issue).status == Issue.Status.DRAFT
