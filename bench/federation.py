"""`make bench-federation`: one article published to 2,000 followers on 200 inboxes.

The followers live on fake fediverse servers on loopback (tests/federation/fediverse.py),
which check every signature the way Mastodon does and count what each inbox receives. The
real `manage.py db_worker` delivers; meanwhile a reader fetches the article page from a
gunicorn server on the same database, so the page latency is measured while the fan-out
runs. Reports the save's time, the time to deliver all, the worker's memory over the run,
deliveries per inbox and the page latency before and during, in bench/RESULTS.md.

The database is DATABASE_URL (PostgreSQL, as in production) or else a fresh SQLite file.
Its federation tables are emptied first: point it at a database of its own.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchkit import cpu_seconds, free_port, memory_kb, write_section

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests" / "federation"))


FOLLOWERS = 2_000
INBOXES = 200
SERVERS = 4
SECTION_START = "<!-- federation-fan-out -->"
SECTION_END = "<!-- /federation-fan-out -->"


def prepare_database(env, servers):
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        manage = [sys.executable, "manage.py", *command, "-v0"]
        subprocess.run(manage, cwd=PROJECT, env=env, check=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from articles.models import Article, Author
    from federation.models import Activity, Actor, Follower, RemoteActor

    DBTaskResult.objects.all().delete()
    Activity.objects.all().delete()
    RemoteActor.objects.all().delete()
    Article.objects.filter(slug="federated").delete()
    blog = Actor.objects.ensure()[0]
    author, _ = Author.objects.get_or_create(slug="bench-author", defaults={"name": "Bench"})
    Article.objects.update_or_create(
        slug="warm-up",
        defaults={
            "author": author,
            "title_en": "The page read while the fan-out runs",
            "body_en": "Body.\n\n" * 50,
            "status": Article.Status.PUBLISHED,
            # Long live, so it is not news to send: only the measured article is.
            "published_at": timezone.now() - timedelta(days=30),
        },
    )
    account = servers[0].account("reader")
    remotes = []
    for number in range(FOLLOWERS):
        server = servers[number % SERVERS]
        inbox = f"{server.url}/box/{number % INBOXES}/inbox"
        remotes.append(
            RemoteActor(
                uri=f"{server.url}/users/reader{number}",
                username=f"reader{number}",
                domain="127.0.0.1",
                inbox=f"{server.url}/users/reader{number}/inbox",
                shared_inbox=inbox,
                key_id=f"{server.url}/users/reader{number}#main-key",
                public_key_pem=account.public_pem,
            )
        )
    RemoteActor.objects.bulk_create(remotes, batch_size=500)
    Follower.objects.bulk_create(
        (
            Follower(actor=blog, remote=remote, follow_id=f"{remote.uri}/follow")
            for remote in RemoteActor.objects.all()
        ),
        batch_size=500,
    )
    keys = {actor.key_id: actor.public_key_pem for actor in Actor.objects.all()}
    for server in servers:
        server.key_source = keys.get
    return blog, author


def page_latencies(url, stop, samples):
    while not stop.is_set():
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (our http server)
            response.read()
        samples.append((time.monotonic(), (time.perf_counter() - started) * 1000))
        time.sleep(0.02)


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


def main():
    from fediverse import RemoteServer

    servers = [RemoteServer().start() for _ in range(SERVERS)]
    database = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='bench-federation-')}/bench.sqlite3"
    )
    site_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "SITE_URL": f"http://127.0.0.1:{site_port}",
        "SECURE_SSL_REDIRECT": "false",
        "FEDERATION_ALLOWED_PRIVATE_ADDRESSES": "127.0.0.1",
        "FEDERATION_ALLOW_HTTP": "true",
        "LOG_LEVEL": "WARNING",
    }
    _blog, author = prepare_database(env, servers)
    site = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "blogsite.wsgi", "-b", f"127.0.0.1:{site_port}",
         "-w", "1", "--log-level", "warning"],
        cwd=PROJECT, env=env,
    )  # fmt: skip
    page = f"http://127.0.0.1:{site_port}/en/posts/warm-up/"
    for _try in range(100):
        try:
            urllib.request.urlopen(page, timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    samples, stop = [], threading.Event()
    reader = threading.Thread(target=page_latencies, args=(page, stop, samples), daemon=True)
    reader.start()
    time.sleep(3)
    before = [ms for _at, ms in samples]

    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article
    from federation.models import Delivery

    Article.objects.get(slug="warm-up").save()  # this process's first save renders cold
    started = time.perf_counter()
    with transaction.atomic():
        Article.objects.create(
            slug="federated", title_en="Fanned out", body_en="To two thousand followers.",
            author=author, status=Article.Status.PUBLISHED, published_at=timezone.now(),
        )  # fmt: skip
    save_ms = (time.perf_counter() - started) * 1000

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.1"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    began = time.monotonic()
    memory = []
    try:
        while True:
            received = sum(len(server.activities("Create")) for server in servers)
            memory.append(memory_kb(worker.pid, "VmRSS"))
            if (
                received >= INBOXES
                and not Delivery.objects.filter(status__in=Delivery.OPEN).exists()
            ):
                break
            if time.monotonic() - began > 600:
                raise SystemExit("not delivered within ten minutes")
            time.sleep(0.2)
        elapsed = time.monotonic() - began
        peak = memory_kb(worker.pid, "VmHWM")
        cpu = cpu_seconds(worker.pid)
    finally:
        worker.terminate()
        worker.wait()
        stop.set()
        reader.join()
        site.terminate()
        site.wait()
        for server in servers:
            server.stop()
    during = [ms for at, ms in samples if began <= at <= began + elapsed]

    per_inbox = Counter(
        path for server in servers for path, _headers, item in server.received
        if item["type"] == "Create"
    )  # fmt: skip
    refused = sum(len(server.refused) for server in servers)
    states = Counter(Delivery.objects.values_list("status", flat=True))
    quarter = [memory[len(memory) * part // 4] // 1024 for part in (1, 2, 3)]
    by_state = ", ".join(f"{state}: {count}" for state, count in sorted(states.items()))
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    text = "\n".join(
        [
            "## Federation fan-out",
            "",
            f"`make bench-federation` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: one article "
            f"published to {FOLLOWERS:,} followers behind {INBOXES} shared inboxes on "
            f"{SERVERS} fake fediverse servers on loopback, which verify every signature as "
            f"Mastodon does; one `manage.py db_worker` delivers ({engine}); a reader fetches an "
            "article page from gunicorn on the same database every 20 ms throughout. "
            f"Load average at the end (1 min, 2 cores, shared): {os.getloadavg()[0]:.1f}.",
            "",
            "| measure | value |",
            "| --- | ---: |",
            f"| the editor's save (publish) | {save_ms:.0f} ms |",
            f"| from worker start to the last inbox served | {elapsed:.1f} s |",
            f"| inboxes served per second | {INBOXES / elapsed:.0f} |",
            f"| worker memory at 1/4, 1/2, 3/4 of the run | {' / '.join(map(str, quarter))} MB |",
            f"| worker peak memory (VmHWM) | {peak // 1024} MB |",
            f"| worker CPU time per inbox | {cpu * 1000 / INBOXES:.1f} ms |",
            f"| inboxes that received the Create exactly once | "
            f"{sum(1 for n in per_inbox.values() if n == 1)} of {INBOXES} |",
            f"| inboxes that received it more than once | "
            f"{sum(1 for n in per_inbox.values() if n > 1)} |",
            f"| requests refused by the servers' signature checks | {refused} |",
            f"| deliveries by state | {by_state} |",
            f"| page latency before: median / p95 | {statistics.median(before):.1f} / "
            f"{percentile(before, 0.95):.1f} ms |",
            f"| page latency during the fan-out: median / p95 | "
            f"{statistics.median(during) if during else float('nan'):.1f} / "
            f"{percentile(during, 0.95):.1f} ms ({len(during)} requests) |",
        ]
    )
    print(text)
    write_section(SECTION_START, SECTION_END, text)


if __name__ == "__main__":
    main()
