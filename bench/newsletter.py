"""`make bench-newsletter`: one issue to 10,000 confirmed readers (half of them Russian),
sent by the real `manage.py db_worker` to a local SMTP sink (aiosmtpd) that counts what
each address receives. Reports messages per second, the worker's memory over the run and
the count per address, in its own section of bench/RESULTS.md.

The database is DATABASE_URL (PostgreSQL, as in production) or else a fresh SQLite file.
Its newsletter tables are emptied first: point it at a database of its own.
"""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchkit import cpu_seconds, free_port, mailing_site_env, memory_kb, write_section

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))

READERS = 10_000
ARTICLES = 5
SECTION_START = "<!-- newsletter-sending -->"
SECTION_END = "<!-- /newsletter-sending -->"


class Sink:
    """Counts every accepted message per recipient."""

    def __init__(self):
        self.received = Counter()
        self.first_at = None
        self.last_at = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook)
        with self.lock:
            now = time.monotonic()
            self.first_at = self.first_at or now
            self.last_at = now
            self.received.update(envelope.rcpt_tos)
        return "250 OK"


def prepare_database(env):
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=PROJECT, env=env, check=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from articles.models import Article, Author
    from newsletter.models import Issue, Subscriber

    DBTaskResult.objects.all().delete()
    Issue.objects.all().delete()
    Subscriber.objects.all().delete()
    author, _ = Author.objects.get_or_create(slug="bench-author", defaults={"name": "Bench"})
    articles = []
    for number in range(ARTICLES):
        article, _ = Article.objects.update_or_create(
            slug=f"bench-article-{number}",
            defaults={
                "author": author,
                "title_en": f"Benchmark article {number}",
                "title_ru": f"Статья для замера {number}",
                "summary_en": "What a benchmark reader would skim before clicking.",
                "summary_ru": "То, что читатель пробежит глазами перед переходом.",
                "body_en": "Body.",
                "status": Article.Status.PUBLISHED,
                "published_at": timezone.now() - timedelta(hours=number + 1),
            },
        )
        articles.append(article)
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{number}@bench.example",
            language=("en", "ru")[number % 2],
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=now,
        )
        for number in range(READERS)
    )
    issue = Issue.objects.create(subject_en="This week", subject_ru="На этой неделе")
    issue.articles.set(articles)
    issue.send_now()
    return issue


def send(env, sink, issue):
    from newsletter.models import Issue

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    started = time.monotonic()
    samples = []  # (messages received, resident memory in kB)
    try:
        while Issue.objects.get(pk=issue.pk).status != Issue.Status.SENT:
            if worker.poll() is not None:
                raise SystemExit("the worker stopped before the issue was sent")
            if time.monotonic() - started > 600:
                raise SystemExit("not sent within ten minutes")
            samples.append((sum(sink.received.values()), memory_kb(worker.pid, "VmRSS")))
            time.sleep(0.5)
        peak = memory_kb(worker.pid, "VmHWM")
        cpu = cpu_seconds(worker.pid)
    finally:
        worker.terminate()
        worker.wait()
    return samples, peak, cpu


def main():
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = mailing_site_env(port, "newsletter")
    try:
        issue = prepare_database(env)
        samples, peak, cpu = send(env, sink, issue)
    finally:
        controller.stop()

    from newsletter.models import Delivery

    counts = Counter(sink.received.values())
    expected = {f"reader{number}@bench.example" for number in range(READERS)}
    missing = len(expected - set(sink.received))
    seconds = sink.last_at - sink.first_at
    rate = sum(sink.received.values()) / seconds
    states = Counter(Delivery.objects.values_list("status", flat=True))
    quarter = [samples[len(samples) * part // 4][1] // 1024 for part in (1, 2, 3)]
    twice = sum(number for times, number in counts.items() if times > 1)
    by_state = ", ".join(f"{state}: {number:,}" for state, number in sorted(states.items()))
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    text = "\n".join(
        [
            "## Newsletter sending",
            "",
            f"`make bench-newsletter` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: one issue of "
            f"{ARTICLES} articles to {READERS:,} confirmed readers (half Russian), sent by one "
            f"`manage.py db_worker` ({engine}, batches of 100) to an aiosmtpd sink on "
            "localhost, all on this machine. Target: 200 messages/s or more, memory flat, "
            "exactly one message per address. The machine is shared with other work: the "
            "load average below says how busy it was, and the worker's CPU time per message "
            "what one free core would allow.",
            "",
            "| measure | value |",
            "| --- | ---: |",
            f"| messages/s (first to last message) | {rate:.0f} |",
            f"| time to send all | {seconds:.1f} s |",
            f"| worker memory at 1/4, 1/2, 3/4 of the run | {' / '.join(map(str, quarter))} MB |",
            f"| worker peak memory (VmHWM) | {peak // 1024} MB |",
            f"| worker CPU time per message | {cpu * 1000 / READERS:.1f} ms |",
            f"| what the worker's CPU allows on one free core | {READERS / cpu:.0f} messages/s |",
            f"| load average during the run (1 min, 2 cores) | {os.getloadavg()[0]:.1f} |",
            f"| addresses that received exactly 1 | {counts[1]:,} |",
            f"| addresses that received more than 1 | {twice} |",
            f"| addresses that received nothing | {missing} |",
            f"| deliveries by state | {by_state} |",
        ]
    )
    print(text)
    write_section(SECTION_START, SECTION_END, text)


if __name__ == "__main__":
    main()
