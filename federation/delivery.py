"""Sending our activities: one row per (activity, inbox), each sent once, retried with backoff.

The fan-out writes a Delivery row for every distinct inbox of the edition's followers (a
server's shared inbox when it has one) under a unique constraint, and queues one task per
row. A task claims its row for a lease, posts the signed activity, and records the outcome:
sent; retried after about a minute, an hour, a day; failed for good (a 4xx refusal); or
dropped with its followers when the inbox is gone (410) or has failed for days. A worker
killed mid-request leaves a claim that expires; the activity's sweep task queues the row
again, and the remote server drops the repeat by its activity id.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from articles.models import Article
from federation.models import (
    Block,
    Delivery,
    Follower,
    InboxHealth,
    RemoteActor,
    domain_of,
)
from federation.remote import Client, ForbiddenAddressError, RemoteError

logger = logging.getLogger(__name__)

# Statuses that will never be worth another try, whatever the wait.
REFUSED = {400, 401, 403, 404, 405, 413, 422}


def lease():
    return timedelta(seconds=settings.FEDERATION_LEASE_SECONDS)


def inboxes(actor):
    """Each follower's server once: its shared inbox, or the follower's own inbox."""
    found = set()
    for shared, own in (
        Follower.objects.filter(actor=actor)
        .values_list("remote__shared_inbox", "remote__inbox")
        .iterator()
    ):
        found.add(shared or own)
    return sorted(found)


def fan_out(activity, targets, enqueue):
    """A pending delivery per inbox (again adds only newcomers) and a task for each."""
    Delivery.objects.bulk_create(
        (Delivery(activity=activity, inbox=inbox) for inbox in targets),
        ignore_conflicts=True,
        batch_size=500,
    )
    pending = activity.deliveries.filter(status=Delivery.Status.PENDING).values_list(
        "pk", flat=True
    )
    for pk in pending.iterator():
        enqueue.deliver(pk, activity.not_before)
    enqueue.sweep(activity.pk, max(activity.not_before, timezone.now()) + lease())


def _claimable(now):
    return (
        Q(status__in=Delivery.OPEN)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


def attempt(delivery_id, enqueue, *, now=None, session=None):
    """One try at one delivery; returns its status afterwards (None when not ours to try)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
        status=Delivery.Status.SENDING, claimed_until=now + lease()
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("activity__actor").get(pk=delivery_id)
    activity = delivery.activity

    if activity.not_before > now:
        return _later(delivery, activity.not_before, enqueue)
    if activity.article_pk and activity.kind in ("Create", "Update"):
        article = Article.objects.filter(pk=activity.article_pk).only("status", "published_at")
        article = article.first()
        if article is None or not article.is_live:
            if article is not None and article.state == Article.State.SCHEDULED:
                return _later(delivery, article.published_at, enqueue)
            return _finish(delivery, Delivery.Status.FAILED, error="Withdrawn before it went live")
    if Block.is_blocked(delivery.inbox):
        return _finish(delivery, Delivery.Status.DROPPED, error="Blocked")

    health, _created = InboxHealth.objects.get_or_create(inbox=delivery.inbox)
    body = json.dumps(activity.payload).encode()
    client = Client(activity.actor, session=session)
    try:
        style = client.post(delivery.inbox, body, style=health.signature_style or None)
    except ForbiddenAddressError as error:
        return _finish(delivery, Delivery.Status.FAILED, error=str(error))
    except RemoteError as error:
        logger.info("Delivery %s to %s: %s", delivery.pk, delivery.inbox, error)
        return _failed(delivery, health, error, now, enqueue)
    InboxHealth.objects.filter(pk=health.pk).update(failing_since=None, signature_style=style)
    return _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now(), error="")


def _finish(delivery, status, **fields):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, claimed_until=None, next_attempt_at=None, **fields
    )
    return status


def _later(delivery, when, enqueue):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, claimed_until=None, next_attempt_at=when
    )
    enqueue.deliver(delivery.pk, when)
    return Delivery.Status.PENDING


def _failed(delivery, health, error, now, enqueue):
    reason = str(error)[:500]
    if error.status == 410:
        drop_inbox(delivery.inbox)
        return _finish(delivery, Delivery.Status.DROPPED, error=reason)
    if error.status in REFUSED:
        return _finish(delivery, Delivery.Status.FAILED, error=reason)
    failing_since = health.failing_since or now
    InboxHealth.objects.filter(pk=health.pk, failing_since__isnull=True).update(failing_since=now)
    if now - failing_since >= timedelta(days=settings.FEDERATION_INBOX_GIVE_UP_DAYS):
        drop_inbox(delivery.inbox)
        return _finish(delivery, Delivery.Status.DROPPED, error=reason)
    attempts = delivery.attempts + 1
    delays = settings.FEDERATION_RETRY_DELAYS
    if attempts > len(delays):
        _finish(delivery, Delivery.Status.FAILED, error=reason, attempts=attempts)
        return Delivery.Status.FAILED
    when = now + timedelta(seconds=delays[attempts - 1])
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.RETRYING,
        claimed_until=None,
        next_attempt_at=when,
        attempts=attempts,
        error=reason,
    )
    enqueue.deliver(delivery.pk, when)
    return Delivery.Status.RETRYING


def drop_inbox(inbox):
    """The inbox is gone: so are the followers who lived behind it."""
    with transaction.atomic():
        remotes = RemoteActor.objects.filter(Q(inbox=inbox) | Q(shared_inbox=inbox))
        Follower.objects.filter(remote__in=remotes).delete()
        Delivery.objects.filter(inbox=inbox, status__in=Delivery.OPEN).exclude(
            status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.DROPPED, error="Inbox gone", next_attempt_at=None)
    logger.info("Dropped inbox %s (%s)", inbox, domain_of(inbox))


def sweep(activity_id, enqueue, *, now=None):
    """The watchdog of one activity's deliveries: requeue rows whose worker died, and come
    back while anything is open."""
    now = now or timezone.now()
    deliveries = Delivery.objects.filter(activity_id=activity_id)
    stranded = deliveries.filter(status=Delivery.Status.SENDING, claimed_until__lt=now).values_list(
        "pk", flat=True
    )
    for pk in stranded:
        enqueue.deliver(pk, now)
    open_rows = deliveries.filter(status__in=Delivery.OPEN)
    if not open_rows.exists():
        return False
    soonest = open_rows.aggregate(retry=Min("next_attempt_at"))["retry"]
    enqueue.sweep(activity_id, max(soonest or now, now) + lease())
    return True
