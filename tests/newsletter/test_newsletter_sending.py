from collections import Counter
from datetime import timedelta

import pytest
from anymail.exceptions import AnymailAPIError
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from newsletter import sending
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.tasks import send_issue
from newsletter.tokens import unsubscribe_token


@pytest.fixture
def issue(make_article, author):
    issue = Issue.objects.create(
        subject_en="This week: pools",
        subject_ru="На этой неделе: пулы",
        intro_en="Three pieces on calm services.",
        intro_ru="Три статьи о спокойных сервисах.",
        status=Issue.Status.SCHEDULED,
        scheduled_at=timezone.now() - timedelta(minutes=1),
    )
    issue.articles.set(
        [
            make_article(
                title_en="Pool sizing", title_ru="Размер пула", slug="pool-sizing", author=author
            ),
            make_article(title_en="Untranslated", slug="untranslated", author=author),
        ]
    )
    return issue


def recipients():
    return Counter(address for message in mail.outbox for address in message.to)


def html_part(message):
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def test_each_confirmed_reader_gets_the_issue_in_their_language(issue, make_subscriber, site_url):
    english = make_subscriber(email="en@example.com", language="en")
    russian = make_subscriber(email="ru@example.ru", language="ru")
    make_subscriber(email="pending@example.com", status=Subscriber.Status.PENDING)
    make_subscriber(email="gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)

    assert sending.send_issue_now(issue)

    assert recipients() == Counter({"en@example.com": 1, "ru@example.ru": 1})
    by_reader = {message.to[0]: message for message in mail.outbox}
    en, ru = by_reader["en@example.com"], by_reader["ru@example.ru"]
    assert en.subject == "This week: pools"
    assert ru.subject == "На этой неделе: пулы"
    assert "Три статьи о спокойных сервисах." in ru.body
    assert f"{site_url}/ru/posts/pool-sizing/" in ru.body
    assert "Размер пула" in html_part(ru)
    assert "Untranslated" in html_part(ru)  # the English fallback where no translation exists
    assert f'href="{site_url}/en/posts/pool-sizing/"' in html_part(en)
    for reader, message, lang in [(english, en, "en"), (russian, ru, "ru")]:
        link = f"{site_url}/{lang}/newsletter/unsubscribe/{unsubscribe_token(reader)}/"
        assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in message.body
        assert f'href="{link}"' in html_part(message)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert (issue.sent_count, issue.failed_count) == (2, 0)


def test_an_article_unpublished_after_it_was_featured_is_left_out(issue, make_subscriber):
    make_subscriber()
    Article.objects.filter(slug="untranslated").update(status=Article.Status.DRAFT)
    sending.send_issue_now(issue)
    [message] = mail.outbox
    assert "Pool sizing" in message.body
    assert "Untranslated" not in message.body


def test_a_batch_reuses_one_mail_connection(issue, make_subscriber, monkeypatch, settings):
    for _ in range(7):
        make_subscriber()
    opened = []

    def counting_connection(*args, **kwargs):
        connection = real_get_connection(*args, **kwargs)
        opened.append(connection)
        return connection

    def no_connection_per_message(*args, **kwargs):
        raise AssertionError("a message opened its own connection")

    real_get_connection = sending.get_connection
    monkeypatch.setattr(sending, "get_connection", counting_connection)
    monkeypatch.setattr("django.core.mail.get_connection", no_connection_per_message)
    settings.NEWSLETTER_BATCH_SIZE = 3

    sending.send_issue_now(issue)

    assert len(mail.outbox) == 7
    assert len(opened) == 3  # batches of 3, 3 and 1


def test_a_sending_resumed_after_a_crash_sends_nobody_twice_and_skips_nobody(
    issue, make_subscriber, settings
):
    readers = [make_subscriber() for _ in range(7)]
    settings.NEWSLETTER_BATCH_SIZE = 3
    # The first worker gets through two batches, then dies.
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
    sending.add_recipients(issue)
    sending.send_batch(issue)
    sending.send_batch(issue)
    assert len(mail.outbox) == 6

    send_issue.call(issue.pk, issue.turn)  # started again
    send_issue.call(issue.pk, issue.turn)  # and once more for good measure

    assert recipients() == Counter({reader.email: 1 for reader in readers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.sent_count == 7


def test_a_message_cut_off_before_its_final_dot_is_sent_again(issue, make_subscriber):
    first, second = make_subscriber(), make_subscriber()
    sending.add_recipients(issue)
    # A worker died in the SMTP conversation before the dot: the server kept nothing.
    Delivery.objects.filter(subscriber=first).update(
        status=Delivery.Status.SENDING, claimed_by="dead-worker"
    )

    sending.send_issue_now(issue)

    assert recipients() == Counter({first.email: 1, second.email: 1})
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_message_whose_final_dot_went_unanswered_is_not_sent_again_and_says_so(
    issue, make_subscriber
):
    first, second = make_subscriber(), make_subscriber()
    sending.add_recipients(issue)
    Delivery.objects.filter(subscriber=first).update(
        status=Delivery.Status.AWAITING_REPLY, claimed_by="dead-worker"
    )

    sending.send_issue_now(issue)

    assert recipients() == Counter({second.email: 1})
    interrupted = Delivery.objects.get(subscriber=first)
    assert interrupted.status == Delivery.Status.UNKNOWN


class UnreachableProvider(BaseEmailBackend):
    """A provider's HTTP API that cannot be reached: its request never left."""

    def send_messages(self, messages):
        raise AnymailAPIError("Connection refused")


def test_an_unreachable_providers_messages_wait_for_a_retry_not_unknown(
    issue, make_subscriber, settings
):
    make_subscriber(), make_subscriber()
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableProvider"

    sending.send_issue_now(issue)

    assert set(Delivery.objects.values_list("status", flat=True)) <= {
        Delivery.Status.RETRYING,
        Delivery.Status.PENDING,
    }
    issue.refresh_from_db()
    assert issue.outage_error == "Connection refused"


def test_a_reader_who_unsubscribed_after_the_sending_began_is_skipped(issue, make_subscriber):
    stays, leaves = make_subscriber(), make_subscriber()
    sending.add_recipients(issue)
    Subscriber.objects.filter(pk=leaves.pk).update(status=Subscriber.Status.UNSUBSCRIBED)

    sending.send_issue_now(issue)

    assert recipients() == Counter({stays.email: 1})
    assert Delivery.objects.get(subscriber=leaves).status == Delivery.Status.SKIPPED


def test_a_task_for_an_issue_rescheduled_later_does_nothing(issue, make_subscriber):
    make_subscriber()
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now() + timedelta(hours=1))

    assert send_issue.call(issue.pk, issue.turn) is False
    assert mail.outbox == []
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED


def test_a_draft_issue_is_never_sent_by_a_stale_task(issue, make_subscriber):
    make_subscriber()
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)
    assert send_issue.call(issue.pk, issue.turn) is False
    assert mail.outbox == []


def test_scheduling_queues_the_task_for_the_scheduled_time_and_a_backup(issue, settings):
    when = timezone.now() + timedelta(days=1)
    issue.schedule(when)

    tasks = DBTaskResult.objects.order_by("run_after")
    assert [task.run_after for task in tasks] == [
        when,
        when + timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS),
    ]
    for task in tasks:
        assert task.task_path == "newsletter.tasks.send_issue"
        assert task.args_kwargs["args"] == [issue.pk, issue.turn]


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_died_before_taking_its_turn_is_covered_by_the_backup(
    issue, make_subscriber, clock
):
    reader = make_subscriber()
    issue.send_now()
    # The worker picked up the first task and died before its first write.
    DBTaskResult.objects.order_by("run_after").first().claim("dead-worker")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert recipients() == Counter()  # nothing else is due before the backup's time

    clock.shift(sending.lease())

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert recipients() == Counter({reader.email: 1})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


class Killed(BaseException):
    """kill -9, as far as this process can play it: nothing after it runs."""


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_sending_resumes_by_itself_within_30_seconds(
    issue, make_subscriber, clock, monkeypatch
):
    readers = [make_subscriber() for _ in range(3)]
    issue.send_now()
    real_start = sending.Batch._start

    def start_then_die(self, delivery):
        real_start(self, delivery)
        raise Killed  # in its first message's SMTP conversation, before the final dot

    monkeypatch.setattr(sending.Batch, "_start", start_then_die)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    monkeypatch.undo()
    assert recipients() == Counter()

    clock.shift(timedelta(seconds=30))  # with the default lease
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert recipients() == Counter({reader.email: 1 for reader in readers})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_task_queued_before_a_reschedule_does_nothing(issue, make_subscriber):
    make_subscriber()
    old_turn = issue.turn
    issue.send_now()
    assert send_issue.call(issue.pk, old_turn) is False
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_an_issue_that_is_due_and_leaves_one_that_is_not(issue, make_subscriber):
    reader = make_subscriber()
    later = Issue.objects.create(subject_en="Later")
    later.schedule(timezone.now() + timedelta(days=1))
    issue.send_now()

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert recipients() == Counter({reader.email: 1})
    issue.refresh_from_db()
    later.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert later.status == Issue.Status.SCHEDULED


def test_a_sending_stuck_before_this_release_is_queued_again_by_the_migration(issue):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "newsletter.migrations.0004_i12_resume_interrupted_sendings"
    )
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)

    migration.resume_interrupted_sendings(apps, None)

    issue.refresh_from_db()
    assert issue.turn
    assert DBTaskResult.objects.filter(args_kwargs__args=[issue.pk, issue.turn]).count() == 2


def test_a_row_an_older_worker_left_being_sent_becomes_unknown_on_upgrade(issue, make_subscriber):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "newsletter.migrations.0008_i28_rows_sending_before_the_final_dot"
    )
    reader = make_subscriber()
    sending.add_recipients(issue)
    Delivery.objects.filter(subscriber=reader).update(
        status=Delivery.Status.SENDING, claimed_by="old-worker"
    )

    migration.old_conversations_are_unknown(apps, None)
    sending.send_issue_now(issue)

    assert mail.outbox == []
    assert Delivery.objects.get(subscriber=reader).status == Delivery.Status.UNKNOWN


@pytest.mark.django_db(transaction=True)
def test_work_queued_during_a_sending_runs_before_the_rest_of_it(issue, make_subscriber, settings):
    """One worker, a long sending, an unpublish meanwhile: its page invalidation must not wait
    for the whole sending. Here a slice is one batch of two."""
    from newsletter.tasks import send_confirmation

    settings.NEWSLETTER_BATCH_SIZE = 2
    settings.NEWSLETTER_SLICE_SECONDS = 0
    for _ in range(6):
        make_subscriber()
    issue.send_now()

    def run_one_task():
        call_command(
            "db_worker", batch=True, max_tasks=1, reload=False, startup_delay=False, verbosity=0
        )

    run_one_task()
    assert len(mail.outbox) == 2  # one slice, and the sending's next turn is queued
    # Other work arrives (a stand-in for a change's page invalidation: a no-op task).
    other = send_confirmation.enqueue(0)

    run_one_task()

    assert DBTaskResult.objects.get(pk=other.id).status == "SUCCESSFUL"
    assert len(mail.outbox) == 2
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert len(mail.outbox) == 6
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
