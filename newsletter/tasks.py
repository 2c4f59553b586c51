from django.utils import timezone
from django_tasks import task

from newsletter.emails import confirmation_message
from newsletter.models import Issue, Subscriber
from newsletter.sending import send_issue_now
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
def send_issue(issue_id):
    issue = Issue.objects.filter(pk=issue_id).first()
    # Deleted, cancelled or rescheduled since this task was queued: nothing to do now.
    return issue is not None and send_issue_now(issue)


def schedule(issue, when=None):
    """Queue the sending for `when` (default: now); the worker picks it up at that time."""
    issue.scheduled_at = when or issue.scheduled_at or timezone.now()
    issue.status = Issue.Status.SCHEDULED
    issue.save(update_fields=["scheduled_at", "status", "updated_at"])
    send_issue.using(run_after=issue.scheduled_at).enqueue(issue.pk)
