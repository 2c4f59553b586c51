from functools import partial

from django.utils import timezone
from django_tasks import task

from newsletter import sending
from newsletter.emails import confirmation_message
from newsletter.models import Issue, Subscriber
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


def queue_turn(issue_id, turn, when):
    # The same turn again when the lease ends: a worker killed after picking up the first
    # task but before taking the turn leaves it to the second.
    for at in (when, when + sending.lease()):
        send_issue.using(run_after=at).enqueue(issue_id, turn)


def schedule(issue, when=None):
    """Queue the sending for `when` (default: now); the worker picks it up at that time."""
    issue.scheduled_at = when or issue.scheduled_at or timezone.now()
    issue.status = Issue.Status.SCHEDULED
    # A new turn: a task queued for an earlier time finds it taken and does nothing.
    issue.turn = sending.new_turn()
    issue.save(update_fields=["scheduled_at", "status", "turn", "updated_at"])
    queue_turn(issue.pk, issue.turn, issue.scheduled_at)
