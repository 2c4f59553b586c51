"""Delivery against a real SMTP server (aiosmtpd) and the real task worker.

Every confirmed reader gets an issue exactly once, whatever the server or the worker does.
Retries are a second apart and leases two seconds long here (the `quick_retries` fixture).
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from newsletter.models import Delivery, Issue

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def issue(make_article):
    issue = Issue.objects.create(subject_en="Weekly", subject_ru="Неделя")
    issue.articles.set([make_article()])
    return issue


@pytest.fixture
def readers(make_subscriber):
    def make(count):
        return [
            make_subscriber(email=f"reader{number}@example.com", language=("en", "ru")[number % 2])
            for number in range(count)
        ]

    return make


def run_worker():
    """The real worker, in this process: it runs whatever is due, then returns."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def run_worker_until_sent(issue, clock, rounds=20):
    """The worker runs what is due; between its runs the clock moves on by the retry delay
    (`quick_retries`), where a real worker would wait for it."""
    for _round in range(rounds):
        run_worker()
        issue.refresh_from_db()
        if issue.status == Issue.Status.SENT:
            return
        clock.shift(timedelta(seconds=1))
    raise AssertionError(f"still {issue.status}: {issue.progress()}")


def everyone_once(readers):
    return Counter({reader.email: 1 for reader in readers})


def states():
    return Counter(Delivery.objects.values_list("status", flat=True))


def test_a_refused_connection_waits_and_everyone_arrives_when_the_server_is_back(
    issue, readers, smtp_server, quick_retries, clock
):
    everyone = readers(5)
    smtp_server.stop()
    issue.send_now()

    run_worker()

    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert issue.outage_since is not None
    assert "refused" in issue.outage_error.lower()
    assert Delivery.Status.FAILED not in states()

    smtp_server.start()
    run_worker_until_sent(issue, clock)

    assert smtp_server.sink.received == everyone_once(everyone)
    assert states() == Counter({Delivery.Status.SENT: 5})
    issue.refresh_from_db()
    assert issue.outage_since is None


def test_a_connection_dropped_mid_batch_is_reopened_and_the_batch_goes_on(
    issue, readers, smtp_server, quick_retries
):
    everyone = readers(8)
    smtp_server.sink.hang_up_after = 3
    issue.send_now()

    run_worker()

    assert smtp_server.sink.greetings == 2  # the line dropped once, and was opened again
    assert smtp_server.sink.received == everyone_once(everyone)
    assert states() == Counter({Delivery.Status.SENT: 8})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_temporary_4xx_is_retried_later_and_then_arrives(
    issue, readers, smtp_server, quick_retries, clock
):
    everyone = readers(4)
    greylisted = everyone[1].email
    smtp_server.sink.rcpt_replies[greylisted] = ["451 4.7.1 Greylisted, try again later"] * 2
    issue.send_now()

    run_worker()

    waiting = Delivery.objects.get(subscriber__email=greylisted)
    assert waiting.status == Delivery.Status.RETRYING
    assert waiting.error.startswith("451 4.7.1 Greylisted")
    assert waiting.next_attempt_at > timezone.now() - timedelta(seconds=1)
    assert states()[Delivery.Status.SENT] == 3

    run_worker_until_sent(issue, clock)

    assert smtp_server.sink.received == everyone_once(everyone)
    assert Delivery.objects.get(subscriber__email=greylisted).attempts == 2


def test_a_4xx_that_lasts_past_the_retry_window_fails_with_the_reason(
    issue, readers, smtp_server, quick_retries, clock
):
    quick_retries.NEWSLETTER_RETRY_WINDOW = 1
    everyone = readers(2)
    full = everyone[0].email
    smtp_server.sink.rcpt_replies[full] = ["452 4.2.2 Mailbox full"] * 10
    issue.send_now()

    run_worker_until_sent(issue, clock)

    failed = Delivery.objects.get(subscriber__email=full)
    assert failed.status == Delivery.Status.FAILED
    assert failed.error == "452 4.2.2 Mailbox full"
    assert failed.attempts >= 2
    assert smtp_server.sink.received == Counter({everyone[1].email: 1})


def test_a_5xx_fails_that_one_reader_and_the_rest_arrive(
    issue, readers, smtp_server, quick_retries
):
    everyone = readers(6)
    unknown = everyone[2].email
    smtp_server.sink.rcpt_replies[unknown] = ["550 5.1.1 No such user"]
    issue.send_now()

    run_worker()

    rejected = Delivery.objects.get(subscriber__email=unknown)
    assert rejected.status == Delivery.Status.FAILED
    assert rejected.error == "550 5.1.1 No such user"
    assert smtp_server.sink.received == everyone_once(everyone) - Counter({unknown: 1})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert (issue.sent_count, issue.failed_count) == (5, 1)


def test_a_line_lost_after_the_final_dot_is_unknown_and_not_sent_twice(
    issue, readers, smtp_server, quick_retries, clock
):
    everyone = readers(3)
    lost = everyone[1].email
    # The server took the message at its dot, and the line broke before its answer.
    smtp_server.sink.silent_after_dot.add(lost)
    issue.send_now()

    run_worker_until_sent(issue, clock)

    assert smtp_server.sink.received == everyone_once(everyone)
    assert Delivery.objects.get(subscriber__email=lost).status == Delivery.Status.UNKNOWN
    assert states() == Counter({Delivery.Status.SENT: 2, Delivery.Status.UNKNOWN: 1})


def database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{auth}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def worker_process(smtp_server, lease=2):
    """`manage.py db_worker` as its own process, on the test database and SMTP server."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_USE_TLS": "false",
        "NEWSLETTER_RETRY_DELAY": "1",
        "NEWSLETTER_RETRY_MAX_DELAY": "1",
        "NEWSLETTER_LEASE_SECONDS": str(lease),
        "NEWSLETTER_BATCH_SIZE": "10",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
    return subprocess.Popen(
        [*command, "--no-startup-delay"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_sent(issue, timeout=40):
    deadline = time.monotonic() + timeout
    while Issue.objects.get(pk=issue.pk).status != Issue.Status.SENT:
        if time.monotonic() > deadline:
            raise AssertionError(f"not sent: {issue.progress()}")
        time.sleep(0.05)


@pytest.fixture
def workers(smtp_server):
    started = []

    def start(lease=2):
        process = worker_process(smtp_server, lease)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def test_a_worker_killed_mid_batch_is_taken_over_by_the_next_one_without_a_button(
    issue, readers, smtp_server, workers
):
    everyone = readers(30)
    # A slow server, so that the kill lands mid-batch; one worker lives at a time, so a
    # one-second lease (the wait before the next one takes over) frees no live worker's claim.
    smtp_server.sink.delay = 0.03
    issue.send_now()
    first = workers(lease=1)
    smtp_server.wait_for(5)

    first.send_signal(signal.SIGKILL)
    first.wait()
    smtp_server.sink.delay = 0  # the kill has landed: the rest need not be slow
    workers(lease=1)
    wait_until_sent(issue)

    received = smtp_server.sink.received
    by_state = {
        state: set(
            Delivery.objects.filter(status=state).values_list("subscriber__email", flat=True)
        )
        for state in (Delivery.Status.SENT, Delivery.Status.UNKNOWN)
    }
    # At most the one message in its SMTP conversation at the kill is of unknown fate.
    assert len(by_state[Delivery.Status.UNKNOWN]) <= 1
    assert by_state[Delivery.Status.SENT] | by_state[Delivery.Status.UNKNOWN] == {
        reader.email for reader in everyone
    }
    assert all(received[address] == 1 for address in by_state[Delivery.Status.SENT])
    assert max(received.values()) == 1


def test_two_workers_at_once_send_everyone_exactly_once(issue, readers, smtp_server, workers):
    everyone = readers(20)
    smtp_server.sink.delay = 0.02
    issue.send_now()
    workers()
    workers()

    wait_until_sent(issue)

    assert smtp_server.sink.received == everyone_once(everyone)
    assert states() == Counter({Delivery.Status.SENT: 20})


def test_djangos_own_smtp_backend_is_flagged_by_a_system_check(settings):
    from django.core.checks import run_checks

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert "newsletter.W001" in [message.id for message in run_checks()]

    settings.EMAIL_BACKEND = "newsletter.smtp.EmailBackend"
    assert "newsletter.W001" not in [message.id for message in run_checks()]
