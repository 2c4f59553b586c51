"""What follows a change: one event after commit, each consumer queued once, retried, and
nothing drawn inside the admin's request."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from sitewide import changes
from sitewide.changes import changed, consumer

ATTEMPTS = []


@consumer
def flaky(keys):
    ATTEMPTS.append(list(keys))
    if len(ATTEMPTS) < 3:
        raise OSError("storage unreachable")


@consumer
def broken(keys):
    ATTEMPTS.append(list(keys))
    raise OSError("storage unreachable")


@pytest.fixture
def queued(settings):
    """Consumers go to the database queue, as in production; nothing runs until a worker does."""
    settings.CONTENT_CHANGE_TASKS = "default"

    def count():
        return Counter(DBTaskResult.objects.values_list("task_path", flat=True))

    return count


def test_nothing_is_sent_before_the_commit(db, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        changed("article:1")
    assert events == []
    callbacks[0]()
    assert events == [frozenset({"article:1"})]


def test_a_rolled_back_change_sends_nothing(db, events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                changed("article:1")
                raise ValueError
        except ValueError:
            pass
    assert events == []


def test_one_transaction_is_one_event(
    events, make_author, make_tag, django_capture_on_commit_callbacks
):
    author, tag = make_author(), make_tag()
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(
            title_en="One save", slug="one-save", author=author, status="published"
        )
        article.tags.set([tag])
        article.title_en = "Saved twice"
        article.save()
    # The search index is refreshed inside the page invalidation: no second event, no second bump.
    assert len(events) == 1
    assert {f"article:{article.pk}", f"tag:{tag.pk}", f"author:{author.pk}"} <= events[0]
    assert {"list:en", "list:ru"} <= events[0]


def test_each_consumer_is_queued_once_per_change(
    queued, settings, make_author, make_tag, django_capture_on_commit_callbacks
):
    author, tag = make_author(), make_tag()
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.create(
            title_en="Queued", slug="queued", author=author, status="published"
        )
        article.tags.set([tag])
    assert queued() == Counter(dict.fromkeys(settings.CONTENT_CHANGE_CONSUMERS, 1))


@pytest.mark.parametrize(
    "change",
    [
        lambda article, tag: (
            (
                Article.objects.filter(pk=article.pk).update(status="draft")
                and article.refresh_from_db()
            )
            or article.publish()
        ),
        lambda article, tag: article.unpublish(),
        lambda article, tag: article.delete(),
        lambda article, tag: article.tags.add(tag),
        lambda article, tag: tag.articles.clear(),
        lambda article, tag: setattr(tag, "name_en", "Renamed") or tag.save(),
        lambda article, tag: setattr(article.author, "name", "Renamed") or article.author.save(),
    ],
    ids=["publish", "unpublish", "delete", "tag added", "tag cleared", "tag renamed", "author"],
)
def test_every_kind_of_change_queues_each_consumer_once(
    change, queued, settings, make_article, make_tag, django_capture_on_commit_callbacks
):
    tag = make_tag()
    article = make_article(tags=[tag])
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        change(article, tag)
    assert queued() == Counter(dict.fromkeys(settings.CONTENT_CHANGE_CONSUMERS, 1))


def test_a_site_settings_edit_queues_each_consumer_once(
    db, queued, settings, django_capture_on_commit_callbacks
):
    from sitewide.models import SiteSettings

    row = SiteSettings.load()
    assert queued() == Counter()  # made on first read: nothing a reader sees changed
    with django_capture_on_commit_callbacks(execute=True):
        row.name_en = "Renamed"
        row.save()
    assert queued() == Counter(dict.fromkeys(settings.CONTENT_CHANGE_CONSUMERS, 1))


def test_a_failing_consumer_is_retried_until_it_succeeds():
    ATTEMPTS.clear()
    flaky.using(backend="changes").enqueue(["article:1"])
    assert ATTEMPTS == [["article:1"]] * 3


def test_a_consumer_gives_up_after_its_retries():
    ATTEMPTS.clear()
    result = broken.using(backend="changes").enqueue(["article:1"])
    assert len(ATTEMPTS) == changes.RETRIES + 1
    assert result.status == "SUCCESSFUL"  # the first run queued its retry; the last one failed


def test_a_retry_waits_on_the_queue(settings, db):
    settings.CONTENT_CHANGE_TASKS = "default"
    ATTEMPTS.clear()
    broken.call(["article:1"])
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["args"] == [["article:1"], 1]
    assert retry.run_after is not None


def social_images():
    try:
        return default_storage.listdir("social")[1]
    except FileNotFoundError:
        return []


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_draws_nothing_and_the_worker_draws_the_cards(settings, author):
    settings.SOCIAL_IMAGES = True
    settings.CONTENT_CHANGE_TASKS = "default"
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-12345!")
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title_en": "Drawn later",
            "slug": "drawn-later",
            "summary_en": "Short.",
            "body_en": "Text",
            "author": author.pk,
            "status": "published",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # The request committed and queued the work, and drew nothing itself.
    assert social_images() == []
    assert DBTaskResult.objects.filter(task_path="articles.tasks.draw_article_cards").count() == 1

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    article = Article.objects.get(slug="drawn-later")
    assert len([name for name in social_images() if f"article-{article.pk}-" in name]) == len(
        settings.LANGUAGES
    )
