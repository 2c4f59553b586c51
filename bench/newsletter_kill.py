"""`make bench-newsletter-kill`: a newsletter to 303 readers, its worker killed with -9.

Each round sends a fresh issue with the real `manage.py run_worker` (production settings:
the default lease) to an aiosmtpd sink that records a message at its final dot and takes
30 ms over each (half before the dot, half after); the worker is killed at a random moment
mid-sending and a new one started at once, as the process supervisor does. Reports, per
round, how long the sending took to resume and to finish, and whether every reader got
exactly one copy: duplicates, readers left without one, and "unknown" deliveries (each: did
the sink have it?). Written to its own section of bench/RESULTS.md.

The database is DATABASE_URL (PostgreSQL, as in production) or else a fresh SQLite file.
Its newsletter tables are emptied first: point it at a database of its own.
"""

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchkit import free_port, mailing_site_env, write_section

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))

READERS = 303
ROUNDS = int(os.environ.get("ROUNDS", "4"))
DELAY = 0.03  # the sink's time per message
SECTION_START = "<!-- newsletter-kill -->"
SECTION_END = "<!-- /newsletter-kill -->"


class Sink:
    """Records each message at its final dot, with the time it arrived; half its time per
    message goes before the dot (at MAIL FROM), half after it, so kills land on both sides."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrivals = []  # (monotonic time, address)

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        import asyncio

        await asyncio.sleep(DELAY / 2)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook)
        import asyncio

        with self.lock:
            self.arrivals.extend((time.monotonic(), address) for address in envelope.rcpt_tos)
        await asyncio.sleep(DELAY / 2)
        return "250 OK"

    def since(self, moment):
        with self.lock:
            return [address for at, address in self.arrivals if at >= moment]


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
    article, _ = Article.objects.update_or_create(
        slug="bench-kill-article",
        defaults={
            "author": author,
            "title_en": "What a worker leaves behind",
            "title_ru": "Что оставляет обработчик",
            "summary_en": "A summary to read.",
            "body_en": "Body.",
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(hours=1),
        },
    )
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{number}@bench.example",
            language=("en", "ru")[number % 2],
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        for number in range(READERS)
    )
    return article


def worker(env, log):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--interval", "0.2"],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def one_round(env, sink, article, log):
    from newsletter.models import Delivery, Issue

    issue = Issue.objects.create(subject_en="This week", subject_ru="На этой неделе")
    issue.articles.set([article])
    began = time.monotonic()
    issue.send_now()
    first = worker(env, log)
    kill_after = random.randint(20, READERS - 40)  # noqa: S311 (a random moment, not a secret)
    while len(sink.since(began)) < kill_after:
        time.sleep(0.005)
    time.sleep(random.uniform(0, DELAY))  # noqa: S311 anywhere in a message's conversation
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    second = worker(env, log)
    try:
        while Issue.objects.get(pk=issue.pk).status != Issue.Status.SENT:
            if time.monotonic() - killed > 300:
                raise SystemExit(f"not sent five minutes after the kill: {issue.progress()}")
            time.sleep(0.2)
        done = time.monotonic()
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait()
    after_kill = [at for at, _address in sink.arrivals if at > killed]
    received = Counter(sink.since(began))
    deliveries = Delivery.objects.filter(issue=issue)
    unknown = list(
        deliveries.filter(status=Delivery.Status.UNKNOWN).values_list(
            "subscriber__email", flat=True
        )
    )
    everyone = set(deliveries.values_list("subscriber__email", flat=True))
    return {
        "killed after": kill_after,
        "resumed": (min(after_kill) - killed) if after_kill else None,
        "done": done - killed,
        "twice": sum(1 for count in received.values() if count > 1),
        "without a copy": len(everyone - set(received)),
        "unknown": len(unknown),
        "unknown, had arrived": sum(1 for address in unknown if received[address]),
    }


def main():
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = mailing_site_env(port, "kill")
    rounds = []
    with tempfile.NamedTemporaryFile("w", prefix="bench-kill-", suffix=".log") as log:
        try:
            article = prepare_database(env)
            for number in range(ROUNDS):
                rounds.append(one_round(env, sink, article, log))
                print(number + 1, rounds[-1], flush=True)
        finally:
            controller.stop()

    from django.conf import settings

    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    rows = [
        f"| {n} | {r['killed after']} | "
        + (f"{r['resumed']:.1f} s" if r["resumed"] is not None else "—")
        + f" | {r['done']:.1f} s | {r['twice']} | {r['without a copy']} | {r['unknown']} "
        f"({r['unknown, had arrived']} had arrived) |"
        for n, r in enumerate(rounds, 1)
    ]
    text = "\n".join(
        [
            "## Newsletter through kill -9",
            "",
            f"`make bench-newsletter-kill` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
            f"({engine}, lease {settings.NEWSLETTER_LEASE_SECONDS} s, the default): an issue "
            f"to {READERS} readers sent by `manage.py run_worker` to an aiosmtpd sink that "
            f"records at the final dot and takes {DELAY * 1000:.0f} ms a message (half before "
            "the dot, half after); the worker "
            "is killed with -9 after a random number of messages, at a random point of a "
            "conversation, and a new one started at once. Resumed: from the kill to the next "
            "message arriving. Target: nobody twice, nobody without a copy, unknown only for a "
            "message that had arrived, resumed within 30 s.",
            "",
            "| round | killed after | resumed | sent by | twice | without a copy | unknown |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
        ]
    )
    print(text)
    write_section(SECTION_START, SECTION_END, text)


if __name__ == "__main__":
    main()
