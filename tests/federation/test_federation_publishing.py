from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from federation import delivery, publishing, tasks
from federation.models import Activity, Delivery, Follower, RemoteActor


class Queue:
    """Records what the delivery code queues, to run it by hand with an injected clock."""

    def __init__(self):
        self.deliveries = []
        self.sweeps = []
        self.federations = []

    def deliver(self, delivery_id, when=None):
        self.deliveries.append((delivery_id, when))

    def sweep(self, activity_id, when):
        self.sweeps.append((activity_id, when))

    def federate(self, article_pk, when=None):
        self.federations.append((article_pk, when))


@pytest.fixture
def queue():
    return Queue()


def follow(actor, server, name):
    account = server.account(name)
    remote, _created = RemoteActor.objects.get_or_create(
        uri=account.uri,
        defaults={
            "username": name,
            "domain": "127.0.0.1",
            "inbox": account.inbox,
            "shared_inbox": server.shared_inbox,
            "key_id": account.key_id,
            "public_key_pem": account.public_pem,
        },
    )
    Follower.objects.create(actor=actor, remote=remote, follow_id=f"{account.uri}/follow")
    return account


def deliver_all(queue, *, now=None, session=None):
    due, queue.deliveries = queue.deliveries, []
    return [delivery.attempt(pk, queue, now=now) for pk, _when in due]


@pytest.fixture
def article(make_article, db):
    return make_article(
        title_en="Connection pools",
        slug="pools",
        body_en="Text [a](/en/x/).",
        published_at=timezone.now() - timedelta(minutes=5),
    )


@pytest.fixture
def make_article(make_article):
    """Articles that have just gone live, as publishing makes them."""

    def make(**fields):
        fields.setdefault("published_at", timezone.now() - timedelta(minutes=1))
        return make_article(**fields)

    return make


def test_create_goes_once_to_each_shared_inbox(blog, remote_server, article, queue):
    one, other = remote_server(), remote_server()
    for name in ("alice", "bob", "carol"):
        follow(blog, one, name)
    follow(blog, other, "dave")

    publishing.federate(article.pk, queue)
    deliver_all(queue)
    publishing.federate(article.pk, queue)  # again: nothing new to say
    deliver_all(queue)

    assert [a["type"] for a in one.activities()] == ["Create"]
    assert [a["type"] for a in other.activities()] == ["Create"]
    assert one.refused == other.refused == []
    created = one.activities()[0]["object"]
    assert created["type"] == "Note"
    assert created["url"] == "http://testserver/en/posts/pools/"
    assert created["attributedTo"] == blog.uri
    assert "Connection pools" in created["content"]
    assert 'href="http://testserver/en/x/"' in created["content"]  # links made absolute
    assert created["contentMap"] == {"en": created["content"]}


def test_article_type_carries_title_and_summary(blog, remote_server, article, queue):
    blog.object_type = blog.ObjectType.ARTICLE
    blog.save()
    server = remote_server()
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    deliver_all(queue)
    sent = server.activities("Create")[0]["object"]
    assert sent["type"] == "Article"
    assert sent["name"] == "Connection pools"
    assert sent["nameMap"] == {"en": "Connection pools"}
    assert sent["summary"] == article.summary_en


def test_edit_of_the_text_sends_update_and_a_save_without_change_sends_nothing(
    blog, remote_server, article, queue
):
    server = remote_server()
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    article.save()
    publishing.federate(article.pk, queue)
    article.body_en = "A better text."
    article.save()
    publishing.federate(article.pk, queue)
    deliver_all(queue)
    assert [a["type"] for a in server.activities()] == ["Create", "Update"]
    assert "A better text." in server.activities("Update")[0]["object"]["content"]


def test_unpublish_and_delete_send_delete_once(blog, remote_server, make_article, queue):
    server = remote_server()
    follow(blog, server, "alice")
    withdrawn, deleted = make_article(), make_article()
    for article in (withdrawn, deleted):
        publishing.federate(article.pk, queue)
    withdrawn.unpublish()
    deleted_pk = deleted.pk
    deleted.delete()
    for pk in (withdrawn.pk, deleted_pk, withdrawn.pk, deleted_pk):
        publishing.federate(pk, queue)
    deliver_all(queue)
    deletes = server.activities("Delete")
    assert len(deletes) == 2
    assert {item["object"]["type"] for item in deletes} == {"Tombstone"}


def test_republished_article_gets_a_new_id(blog, remote_server, article, queue):
    server = remote_server()
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    article.unpublish()
    publishing.federate(article.pk, queue)
    article.publish()
    publishing.federate(article.pk, queue)
    deliver_all(queue)
    first, again = (item["object"]["id"] for item in server.activities("Create"))
    assert first != again  # Mastodon never takes back an id it saw deleted


def test_scheduled_article_is_sent_at_its_second_not_before(
    blog, remote_server, make_article, queue, django_capture_on_commit_callbacks
):
    server = remote_server()
    follow(blog, server, "alice")
    at = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(published_at=at)
    # The save queued a worker task, which sends nothing yet and comes back at its second.
    assert DBTaskResult.objects.filter(args_kwargs__args=[article.pk]).exists()
    publishing.federate(article.pk, tasks.Queue)
    assert not Activity.objects.exists()
    assert DBTaskResult.objects.filter(args_kwargs__args=[article.pk], run_after=at).exists()

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now())
    publishing.federate(article.pk, queue)
    deliver_all(queue)
    assert [a["type"] for a in server.activities()] == ["Create"]


def test_delivery_waits_when_the_article_was_rescheduled_after_the_fan_out(
    blog, remote_server, article, queue
):
    server = remote_server()
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    later = timezone.now() + timedelta(days=1)
    Article.objects.filter(pk=article.pk).update(published_at=later)
    assert deliver_all(queue) == [Delivery.Status.PENDING]
    assert server.received == []
    assert queue.deliveries[0][1] == later


def test_saving_never_waits_for_the_followers(blog, remote_server, make_article, db):
    server = remote_server(fail_first=10**6)
    follow(blog, server, "alice")
    make_article()  # would hang or fail if the save talked to the server
    assert server.received == []
    assert not Activity.objects.exists()


def test_server_answering_500_gets_it_later_once(blog, remote_server, article, queue):
    server = remote_server(fail_first=1)
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    now = timezone.now()
    assert deliver_all(queue, now=now) == [Delivery.Status.RETRYING]
    retry = Delivery.objects.get()
    assert retry.next_attempt_at == now + timedelta(seconds=60)
    assert queue.deliveries == [(retry.pk, retry.next_attempt_at)]
    # The task runs at its time; not earlier.
    assert delivery.attempt(retry.pk, queue, now=now + timedelta(seconds=30)) is None
    assert deliver_all(queue, now=now + timedelta(seconds=61)) == [Delivery.Status.SENT]
    assert len(server.activities("Create")) == 1


def test_retries_back_off_a_minute_an_hour_a_day_then_fail(blog, remote_server, article, queue):
    server = remote_server(fail_first=10)
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    now = timezone.now()
    waits = []
    for _try in range(4):
        outcome = deliver_all(queue, now=now)
        row = Delivery.objects.get()
        if row.next_attempt_at:
            waits.append((row.next_attempt_at - now).total_seconds())
            now = row.next_attempt_at
    assert waits == [60, 3600, 86400]
    assert outcome == [Delivery.Status.FAILED]


def test_inbox_failing_for_days_is_dropped_with_its_followers(
    blog, remote_server, article, queue, settings
):
    settings.FEDERATION_RETRY_DELAYS = [86400] * 10
    server = remote_server(fail_first=10)
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    now = timezone.now()
    for _day in range(5):
        deliver_all(queue, now=now)
        now += timedelta(days=1, seconds=1)
    assert Delivery.objects.get().status == Delivery.Status.DROPPED
    assert not Follower.objects.exists()


def test_gone_inbox_410_drops_it_and_its_followers(blog, remote_server, article, queue):
    gone, alive = remote_server(gone=True), remote_server()
    follow(blog, gone, "alice")
    follow(blog, gone, "bob")
    follow(blog, alive, "carol")
    publishing.federate(article.pk, queue)
    deliver_all(queue)
    assert set(Follower.objects.values_list("remote__username", flat=True)) == {"carol"}
    assert Delivery.objects.get(inbox=gone.shared_inbox).status == Delivery.Status.DROPPED


def test_server_refusing_cavage_gets_rfc9421_and_is_remembered(
    blog, remote_server, make_article, queue
):
    server = remote_server(refuse_cavage=True)
    follow(blog, server, "alice")
    for article in (make_article(), make_article()):
        publishing.federate(article.pk, queue)
    deliver_all(queue)
    assert len(server.activities("Create")) == 2
    # The first knock with cavage was refused; the second delivery went straight to RFC 9421.
    assert [reason for _path, reason in server.refused] == ["cavage refused"]
    assert all("signature-input" in headers for _path, headers, _item in server.received)


def test_a_killed_worker_leaves_a_claim_the_sweep_requeues(blog, remote_server, article, queue):
    server = remote_server()
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    row = Delivery.objects.get()
    now = timezone.now()
    # A worker claimed the row and died in the middle of its request.
    Delivery.objects.filter(pk=row.pk).update(
        status=Delivery.Status.SENDING, claimed_until=now + timedelta(seconds=120)
    )
    queue.deliveries.clear()
    assert delivery.attempt(row.pk, queue, now=now) is None  # its claim still holds
    later = now + timedelta(seconds=121)
    assert delivery.sweep(row.activity_id, queue, now=later) is True
    assert deliver_all(queue, now=later) == [Delivery.Status.SENT]
    assert delivery.sweep(row.activity_id, queue, now=later) is False


def test_delivery_to_a_private_address_is_refused(blog, remote_server, article, queue, settings):
    settings.FEDERATION_ALLOWED_PRIVATE_ADDRESSES = ""
    server = remote_server()
    follow(blog, server, "alice")
    publishing.federate(article.pk, queue)
    assert deliver_all(queue) == [Delivery.Status.FAILED]
    assert server.received == []
    assert "private address" in Delivery.objects.get().error


def test_old_articles_are_not_pushed_into_timelines(blog, remote_server, make_article, queue):
    server = remote_server()
    follow(blog, server, "alice")
    imported = make_article(published_at=timezone.now() - timedelta(days=400))
    publishing.federate(imported.pk, queue)
    assert not Activity.objects.exists()
