"""`make run`: demo content only into an empty site, and the pages readers see."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article

PROJECT = Path(__file__).resolve().parents[1]


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
