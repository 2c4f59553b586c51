from functools import partial

from django_tasks import task

from newsletter import sending
from newsletter.emails import confirmation_message
from newsletter.models import Subscriber
from newsletter.signup import sign_up


@task()
def handle_signup(email, language, page, address):
    # In the worker: the signup request does the same work whatever the address's state,
    # so its timing tells nobody whether the address is known or confirmed.
    subscriber = sign_up(email, language, page, address)
    if subscriber is not None:
        send_confirmation.enqueue(subscriber.pk)


@task()
def send_confirmation(subscriber_id):
    # Sent from the worker, so the signup answer takes the same time whatever the address.
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=Subscriber.Status.PENDING
    ).first()
    if subscriber is not None:
        confirmation_message(subscriber).send()


@task()
def send_issue(issue_id, turn=""):
    """One turn of a sending; it queues the next turn itself while anything is left.

    Deleted, cancelled, rescheduled or taken over since this task was queued: nothing to do.
    """
    return sending.take_turn(issue_id, turn, partial(queue_turn, issue_id))


# Below other tasks: a change's page invalidation waits for one slice of a sending at most.
PRIORITY = -10


def queue_turn(issue_id, turn, when):
    # The same turn again when the lease ends: a worker killed after picking up the first
    # task but before taking the turn leaves it to the second.
    for at in (when, when + sending.lease()):
        send_issue.using(run_after=at, priority=PRIORITY).enqueue(issue_id, turn)
