"""The embedded SQLite default takes writes from the task worker and from requests at once.

A real gunicorn and a real `db_worker` share one SQLite file, as under `make run`: editors
publish and unpublish (each save reads, then writes, in one transaction: the case that
answered "database is locked") while readers sign up and the worker writes their
subscriber rows and confirmations.
"""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import migrated_template
import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
READERS = 24
EDITORS = 2
ROUNDS = 2
ARTICLES = 6
PASSWORD = "a-long-test-password-9"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def environment(tmp_path, request):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        DEBUG="true",
        # One trusted proxy: each simulated reader gets their own signup bucket.
        TRUSTED_PROXIES="1",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        MEDIA_ROOT=str(tmp_path / "media"),
        DB_CONN_MAX_AGE="0",
        # The social cards are files drawn with Pillow outside any transaction: seconds of
        # the worker's CPU per run and not one database write.
        SOCIAL_IMAGES="false",
        # The editor's password is stored once and checked at each of two logins: with the
        # real hasher, a second of CPU that tests nothing here (tests/settings_quick_hashing.py).
        DJANGO_SETTINGS_MODULE="settings_quick_hashing",
        PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])),
    )
    # The site as `make run` would leave it (migrated, the demo content, an editor), made by
    # one process rather than three: the same commands, one start-up of Django instead of
    # three. The migrations start from this run's migrated template when there is one (every
    # worker ran them all from an empty file to make it), so `migrate` finds nothing to do.
    migrated_template.restore(request.config, tmp_path / "site.sqlite3")
    prepare = (
        "from django.core.management import call_command as run\n"
        "run('migrate', interactive=False, verbosity=0)\n"
        "run('load_demo', verbosity=0)\n"
        "run('createsuperuser', interactive=False, username='boss', email='b@x.org', verbosity=0)\n"
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", prepare],
        env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, cwd=ROOT, check=True,
    )  # fmt: skip
    return env, tmp_path / "site.sqlite3"


@pytest.fixture
def processes(environment):
    env, database = environment
    port = free_port()
    bin_dir = Path(sys.executable).parent
    # One app server process of eight threads, each with its own connection to the file: the
    # same contention as several processes, at one start-up of Django.
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "blogsite.wsgi", "-b", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "8", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload",
         "--no-startup-delay", "--interval", "0.05", "-v0"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    site = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{site}/healthz", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield site, database
    # Both told to stop before either is waited for: they shut down side by side.
    for process in (server, worker):
        process.terminate()
    for process in (server, worker):
        process.wait(timeout=20)


def sign_up(site, number):
    """One reader behind the proxy: load the form, then post it."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    reader = {"X-Forwarded-For": f"198.51.100.{number + 1}"}
    page = opener.open(urllib.request.Request(f"{site}/en/newsletter/", headers=reader))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    fields = {"email": f"reader{number}@example.org", "page": "/en/"}
    if token:
        fields["csrfmiddlewaretoken"] = token.group(1).decode()
    request = urllib.request.Request(
        f"{site}/en/newsletter/subscribe/",
        data=urllib.parse.urlencode(fields).encode(),
        headers={**reader, "Origin": site, "Referer": f"{site}/en/newsletter/",
                 "Sec-Fetch-Site": "same-origin"},
    )  # fmt: skip
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as error:
        return error.code


def form_token(html):
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


def edit(site, editor, article_ids):
    """One editor unpublishing and publishing every article, ROUNDS times; the statuses."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    headers = {"X-Forwarded-For": f"192.0.2.{editor + 1}", "Referer": f"{site}/admin/"}

    def post(path, fields):
        request = urllib.request.Request(
            f"{site}{path}", data=urllib.parse.urlencode(fields, doseq=True).encode(),
            headers=headers,
        )  # fmt: skip
        try:
            return opener.open(request).status
        except urllib.error.HTTPError as error:
            return error.code

    login = opener.open(urllib.request.Request(f"{site}/admin/login/", headers=headers)).read()
    statuses = [post("/admin/login/?next=/admin/", {
        "username": "boss", "password": PASSWORD, "csrfmiddlewaretoken": form_token(login),
    })]  # fmt: skip
    for _round in range(ROUNDS):
        for action in ["unpublish", "publish_now"]:
            listing = opener.open(
                urllib.request.Request(f"{site}/admin/articles/article/", headers=headers)
            ).read()
            statuses.append(post("/admin/articles/article/", {
                "action": action, "_selected_action": article_ids, "index": "0",
                "csrfmiddlewaretoken": form_token(listing),
            }))  # fmt: skip
    return statuses


def count(database, sql):
    with sqlite3.connect(database, timeout=20) as connection:
        return connection.execute(sql).fetchone()[0]


def test_requests_and_the_worker_write_at_once_without_locking_errors(processes):
    site, database = processes
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id FROM articles_article LIMIT ?", [ARTICLES])
        article_ids = [row[0] for row in rows]
    with ThreadPoolExecutor(max_workers=8) as pool:
        editing = [pool.submit(edit, site, editor, article_ids) for editor in range(EDITORS)]
        signups = list(pool.map(lambda number: sign_up(site, number), range(READERS)))
        edits = [future.result() for future in editing]
    assert signups == [200] * READERS  # the "check your inbox" page, after the redirect
    assert edits == [[200] * (1 + 2 * ROUNDS)] * EDITORS

    # The worker writes each subscriber, then sends and records each confirmation.
    deadline = time.monotonic() + 60
    # Counted among the newsletter's tasks: each edit also queues what follows a change.
    done = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult"
        " WHERE status = 'SUCCESSFUL' AND task_path LIKE 'newsletter.%'"
    )
    while count(database, done) < 2 * READERS and time.monotonic() < deadline:
        time.sleep(0.2)
    failed = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
    assert count(database, failed) == 0
    assert count(database, done) == 2 * READERS
    assert count(database, "SELECT count(*) FROM newsletter_subscriber") == READERS
    # Readers never wait for the writer: the file is in write-ahead-log mode.
    assert count(database, "PRAGMA journal_mode") == "wal"
