from django.utils import timezone
from django_tasks import task

from federation import delivery, publishing


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
