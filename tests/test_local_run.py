"""`make run`: demo content only into an empty site, and the pages readers see."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import migrated_template
import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article

PROJECT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_restart_keeps_an_edit_and_a_deletion(db):
    call_command("load_demo_site", verbosity=0)
    edited, deleted = Article.objects.order_by("pk")[:2]
    Article.objects.filter(pk=edited.pk).update(title_en="Retitled by its author")
    deleted_slug = deleted.slug
    deleted.delete()
    count = Article.objects.count()

    call_command("load_demo_site", verbosity=0)  # the next `make run`

    assert Article.objects.get(pk=edited.pk).title_en == "Retitled by its author"
    assert not Article.objects.filter(slug=deleted_slug).exists()
    assert Article.objects.count() == count


def test_demo_content_fills_an_empty_site(db):
    call_command("load_demo_site", verbosity=0)
    assert Article.objects.live().count() >= 12


def database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{auth}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


# Requests made the way `make run` configures the site: its settings are read at start-up, so
# they are read in a process of their own.
PROBE = """
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for path in ("/en/no-such-page/", "/ru/posts/no-such-article/", "/static/css/site.css"):
    response = client.get(path)
    body = b"".join(response) if response.streaming else response.content
    print(path, response.status_code, body.decode(errors="replace").replace("\\n", " "))
"""


@pytest.fixture(scope="module")
def make_run_pages(django_db_setup):
    """The pages, asked for once for the tests below (a start-up of Django each time was the
    cost). Between tests the database holds nothing uncommitted for the process to miss."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    env.update(LOCAL_RUN="true", DEBUG="false", DATABASE_URL=database_url(), DB_CONN_MAX_AGE="0")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {
        line.split(" ", 2)[0]: line.split(" ", 2)[1:]
        for line in result.stdout.splitlines()
        if line.startswith("/")
    }


def test_make_run_answers_a_wrong_address_with_the_sites_own_404(make_run_pages):
    status, body = make_run_pages["/en/no-such-page/"]
    assert status == "404"
    assert "Page not found" in body
    assert 'name="q"' in body  # a search box
    assert "URLconf" not in body  # not Django's debug page


def test_make_run_speaks_russian_on_a_russian_404(make_run_pages):
    status, body = make_run_pages["/ru/posts/no-such-article/"]
    assert status == "404"
    assert "Страница не найдена" in body
    assert 'value="no such article"' in body  # the search box starts with what was asked for
    assert "Traceback" not in body


def test_make_run_still_serves_static_files(make_run_pages):
    status, body = make_run_pages["/static/css/site.css"]
    assert status == "200"
    assert "--accent" in body


def test_a_mistyped_article_address_suggests_the_nearest_article(client, make_article):
    article = make_article(title_en="Sizing connection pools", slug="sizing-connection-pools")
    response = client.get("/en/posts/sizing-conection-pools/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Did you mean" in page
    assert f'href="{article.get_absolute_url()}"' in page


def test_a_404_lists_recent_articles_but_nothing_unpublished(
    client, live_article, draft_article, scheduled_article
):
    page = client.get("/en/nowhere/").content.decode()
    assert live_article.title in page
    assert draft_article.title not in page
    assert scheduled_article.title not in page
    assert "Did you mean" not in page


# `make run`'s two processes, as the Makefile starts them: the server keeps pages, and the
# task worker runs what follows a change (the invalidation among it).
SETUP = """
from datetime import timedelta
from django.core.management import call_command
from django.utils import timezone
from articles.models import Article, Author
call_command("migrate", interactive=False, verbosity=0)
author = Author.objects.create(name="Kit Keeper", slug="kit-keeper")
Article.objects.create(
    title_en="Pages kept between changes", slug="kept", summary_en="What a cache keeps.",
    body_en="Text.", author=author, status="published",
    published_at=timezone.now() - timedelta(days=1),
)
"""
CHANGE = """
from articles.models import Article
article = Article.objects.get(slug="kept")
if {retitle!r}:
    article.title_en = {retitle!r}
    article.save()
else:
    article.unpublish()
"""
# A third process of the site, for the editor's changes: it runs each block of code it is
# sent (one start-up of Django for all of them, made while the server starts).
EDITOR = """
import sys
import django
django.setup()
block = []
for line in sys.stdin:
    if line == "#run\\n":
        exec("".join(block), {})
        block = []
        print("done", flush=True)
    else:
        block.append(line)
"""


@pytest.fixture
def make_run_site(tmp_path, request):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_", "CACHE_", "DEBUG"))
    }
    env.pop("SECRET_KEY", None)
    database = tmp_path / "site.sqlite3"
    env.update(
        LOCAL_RUN="true", DEBUG="false", CACHE_DIR=str(tmp_path / "cache"),
        DATABASE_URL=f"sqlite:///{database}", DB_CONN_MAX_AGE="0", SOCIAL_IMAGES="false",
        DJANGO_SETTINGS_MODULE="blogsite.settings",
    )  # fmt: skip
    migrated = migrated_template.restore(request.config, database)
    editor = subprocess.Popen(
        [sys.executable, "-c", EDITOR], env=env, cwd=PROJECT, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    processes = [editor]

    def stop():
        editor.stdin.close()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)

    # Stopped even when the set-up fails below, where a yield's teardown would not run.
    request.addfinalizer(stop)  # noqa: PT021

    def send(code):
        editor.stdin.write(f"{code}\n#run\n")
        editor.stdin.flush()

    def done():
        assert editor.stdout.readline() == "done\n", "the editor's change failed"

    send(SETUP)
    if not migrated:
        done()  # every migration first, before the server and worker read the tables
    manage = [sys.executable, str(PROJECT / "manage.py")]
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as server_log:
        processes += [
            subprocess.Popen([*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
                             env=env, cwd=PROJECT, stderr=server_log),
            subprocess.Popen([*manage, "run_worker", "--no-reload", "--interval", "0.2"],
                             env=env, cwd=PROJECT, stdout=subprocess.DEVNULL),
        ]  # fmt: skip
    if migrated:
        done()
    site = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while answers(f"{site}/healthz")[0] != 200:
        if time.monotonic() > deadline or processes[1].poll() is not None:
            pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)

    def change(retitle=""):
        send(CHANGE.format(retitle=retitle))
        done()

    return site, change


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers.get("X-Page-Cache"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Page-Cache"), ""
    except OSError:  # not answering yet, or too slow on a loaded machine: asked again
        return None, None, ""


def until(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_make_run_gives_its_server_and_worker_one_cache():
    # The test below starts them with CACHE_DIR itself: this is what ties it to the Makefile.
    commands = subprocess.run(
        ["make", "-n", "run"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout
    for process in ("run_worker", "runserver"):
        [line] = [line for line in commands.splitlines() if f"manage.py {process}" in line]
        assert f"CACHE_DIR={PROJECT}/.django-cache" in line, line


def test_make_run_shows_a_change_made_beside_its_server(make_run_site):
    site, change = make_run_site
    article, hub = f"{site}/en/posts/kept/", f"{site}/en/"
    for url in (article, hub):
        # The server keeps both pages (once the worker is through the set-up's own changes:
        # a page rendered while one is invalidated is not kept).
        assert until(lambda url=url: answers(url)[:2] == (200, "hit")), url

    change(retitle="Pages shown as changed")
    # The worker, another process, invalidates them: the server's next answer is the new
    # page, not its kept copy (which lived PAGE_CACHE_SECONDS, 10 minutes, before).
    assert until(lambda: "Pages shown as changed" in answers(article)[2])
    assert until(lambda: "Pages shown as changed" in answers(hub)[2])

    change()  # unpublished
    assert until(lambda: answers(article)[0] == 404)
    assert until(lambda: "Pages shown as changed" not in answers(hub)[2])
