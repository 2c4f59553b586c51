import logging
from datetime import timedelta
from functools import partial
from smtplib import SMTPRecipientsRefused

from anymail.exceptions import AnymailRecipientsRefused
from django.utils import timezone
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


logger = logging.getLogger(__name__)

# A confirmation the mail server or provider did not take is tried again, twice as far apart
# each time: 30 s, 1 min … 32 min, about the hour a reader is kept from asking for another
# (NEWSLETTER_CONFIRMATION_WINDOW). Then the reader may ask again at once.
CONFIRMATION_RETRY_SECONDS = 30
CONFIRMATION_RETRIES = 7


@task()
def send_confirmation(subscriber_id, attempt=0):
    # Sent from the worker, so the signup answer takes the same time whatever the address.
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=Subscriber.Status.PENDING
    ).first()
    if subscriber is None:
        return
    try:
        confirmation_message(subscriber).send()
    except (SMTPRecipientsRefused, AnymailRecipientsRefused):
        raise  # the address itself was refused: no later try changes that
    except Exception:
        # The server away, refusing us, or wrongly configured: the reader was told the link is
        # on its way, and the signup counted as sent, so it is not left at that.
        if attempt >= CONFIRMATION_RETRIES:
            Subscriber.objects.filter(pk=subscriber_id).update(confirmation_sent_at=None)
            raise
        logger.warning("Confirmation to subscriber %s failed; retry %s", subscriber_id,
                       attempt + 1, exc_info=True)  # fmt: skip
        retry = send_confirmation
        if retry.get_backend().supports_defer:
            delay = timedelta(seconds=CONFIRMATION_RETRY_SECONDS * 2**attempt)
            retry = retry.using(run_after=timezone.now() + delay)
        retry.enqueue(subscriber_id, attempt + 1)


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
