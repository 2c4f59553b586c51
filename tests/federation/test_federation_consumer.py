"""Federation follows the domain event: one consumer of `content_changed` queues one
federation task per changed article, is retried when it fails, and sends nothing twice."""

from collections import Counter

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from federation import publishing, tasks
from federation.models import Activity, Follower, RemoteActor
from sitewide.changes import content_changed

FEDERATE = "federation.tasks.federate_article"


@pytest.fixture
def follower(blog):
    remote = RemoteActor.objects.create(
        uri="https://social.example/users/alice",
        username="alice",
        domain="social.example",
        inbox="https://social.example/users/alice/inbox",
        key_id="https://social.example/users/alice#main-key",
        public_key_pem="",
    )
    return Follower.objects.create(actor=blog, remote=remote, follow_id=f"{remote.uri}/follow")


def federations():
    """The federation tasks on the worker's queue, by article."""
    return Counter(
        args[0]
        for (args,) in DBTaskResult.objects.filter(task_path=FEDERATE).values_list(
            "args_kwargs__args"
        )
    )


@pytest.fixture
def save(django_capture_on_commit_callbacks):
    """A change committed as a site commits it: the consumers run (at once, in tests)."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def test_one_change_queues_one_federation_of_each_article(follower, make_article, save):
    article = make_article()
    DBTaskResult.objects.all().delete()
    save(lambda: setattr(article, "title_en", "Renamed") or article.save())
    assert federations() == Counter({article.pk: 1})


def test_a_bulk_delete_federates_each_article_once(follower, make_article, save):
    gone = [make_article(), make_article()]
    DBTaskResult.objects.all().delete()
    save(lambda: Article.objects.filter(pk__in=[a.pk for a in gone]).delete())
    assert federations() == Counter({article.pk: 1 for article in gone})


def test_the_consumer_is_retried_and_still_queues_once(follower, make_article, monkeypatch):
    article = make_article()
    DBTaskResult.objects.all().delete()
    queue_federate = tasks.Queue.federate
    failures = []

    def flaky(article_pk, when=None):
        if not failures:
            failures.append(article_pk)
            raise OSError("database unreachable")
        queue_federate(article_pk, when)

    monkeypatch.setattr(tasks.Queue, "federate", staticmethod(flaky))
    tasks.federate_changes.using(backend="changes").enqueue([f"article:{article.pk}"])
    assert failures == [article.pk]
    assert federations() == Counter({article.pk: 1})


def test_running_twice_sends_once(follower, make_article, monkeypatch):
    """Idempotent: a retry, or a second change, brings followers in line only once."""
    sent = []
    monkeypatch.setattr(publishing.delivery, "fan_out", lambda activity, *a: sent.append(activity))
    article = make_article(published_at=timezone.now())
    for _ in range(2):
        publishing.federate(article.pk, tasks.Queue)
    assert [activity.kind for activity in sent] == ["Create"]
    assert Activity.objects.count() == 1


def test_nobody_to_tell_queues_nothing(blog, make_article, save, settings):
    save(make_article)
    assert federations() == Counter()


def test_federation_turned_off_queues_nothing(follower, make_article, save, settings):
    settings.FEDERATION_ENABLED = False
    save(make_article)
    assert federations() == Counter()


def test_federation_has_no_receivers_of_its_own():
    from django.db.models.signals import post_delete, post_save

    def modules(signal):
        return {entry[1]().__module__ for entry in signal.receivers if entry[1]() is not None}

    for signal in (post_save, post_delete):
        assert not {name for name in modules(signal) if name.startswith("federation")}
    assert "sitewide.changes" in modules(content_changed)
