from django.conf import settings
from django.utils import timezone
from django_tasks import task

from federation import delivery, publishing
from federation.models import Follower
from sitewide.changes import consumer, ids


class Queue:
    """How the delivery code queues its follow-ups: as tasks on the worker."""

    @staticmethod
    def deliver(delivery_id, when=None):
        deliver.using(run_after=_future(when)).enqueue(delivery_id)

    @staticmethod
    def sweep(activity_id, when):
        sweep.using(run_after=_future(when)).enqueue(str(activity_id))

    @staticmethod
    def federate(article_pk, when=None):
        federate_article.using(run_after=_future(when)).enqueue(article_pk)


def _future(when):
    return when if when and when > timezone.now() else None


@consumer
def federate_changes(keys):
    """The consumer of `content_changed`: each changed article gets its own federation task.

    One task per article, so one article's failure holds up no other; federate() sends only
    what differs from what each edition last sent, so a retry of this consumer or a second
    change sends nothing twice. Without followers there is nobody to tell.
    """
    if not settings.FEDERATION_ENABLED or not Follower.objects.exists():
        return
    for article_pk in ids(keys, "article"):
        Queue.federate(article_pk)


@task()
def federate_article(article_pk):
    """Bring every edition's followers in line with the article (it re-checks liveness)."""
    publishing.federate(article_pk, Queue)


@task()
def deliver(delivery_id):
    delivery.attempt(delivery_id, Queue)


@task()
def sweep(activity_id):
    delivery.sweep(activity_id, Queue)
