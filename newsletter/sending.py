"""Sending an issue in batches, idempotently.

Every (issue, subscriber) pair gets one Delivery row under a unique constraint. A row is
claimed (pending → sending) by a conditional UPDATE before its message goes out, so two
workers, or a worker started again after a crash, never send the same row twice. A worker
killed in the middle of one SMTP call leaves that single row "interrupted" rather than
risk a second copy.
"""

import logging
import smtplib

from django.core.mail import get_connection
from django.utils import timezone

from newsletter.emails import issue_message
from newsletter.models import Delivery, Issue, Subscriber

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


def add_recipients(issue):
    """A pending delivery for every confirmed subscriber; repeating it adds only newcomers."""
    subscribers = Subscriber.objects.confirmed().values_list("pk", flat=True).iterator()
    Delivery.objects.bulk_create(
        (Delivery(issue=issue, subscriber_id=pk) for pk in subscribers),
        ignore_conflicts=True,
        batch_size=500,
    )


def _claim(delivery):
    claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING
    )
    return claimed == 1


def _finish(delivery, status, error=""):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error, sent_at=timezone.now()
    )


def send_batch(issue, size=None):
    """Send up to `size` pending deliveries over one mail connection; return how many were due."""
    deliveries = list(
        issue.deliveries.filter(status=Delivery.Status.PENDING)
        .select_related("subscriber")
        .order_by("pk")[: size or BATCH_SIZE]
    )
    if not deliveries:
        return 0
    articles = list(issue.featured())  # once per batch; titles are read per reader's language
    with get_connection() as connection:
        for delivery in deliveries:
            if not _claim(delivery):
                continue  # another worker took it
            subscriber = delivery.subscriber
            if subscriber.status != Subscriber.Status.CONFIRMED:
                _finish(delivery, Delivery.Status.SKIPPED)  # unsubscribed since it was queued
                continue
            message = issue_message(issue, subscriber, articles, connection=connection)
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("Issue %s to %s failed: %s", issue.pk, subscriber.pk, error)
                _finish(delivery, Delivery.Status.FAILED, str(error))
            else:
                _finish(delivery, Delivery.Status.SENT)
    update_counts(issue)
    return len(deliveries)


def update_counts(issue):
    progress = issue.progress()
    Issue.objects.filter(pk=issue.pk).update(
        sent_count=progress[Delivery.Status.SENT], failed_count=progress[Delivery.Status.FAILED]
    )


def send_issue_now(issue):
    """Start or resume a sending; a scheduled issue whose time has not come is left alone."""
    due = Issue.objects.filter(pk=issue.pk).filter(
        status__in=[Issue.Status.SCHEDULED, Issue.Status.SENDING], scheduled_at__lte=timezone.now()
    )
    if not due.update(status=Issue.Status.SENDING):
        return False
    add_recipients(issue)
    while send_batch(issue):
        pass
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, sent_at=timezone.now())
    return True
