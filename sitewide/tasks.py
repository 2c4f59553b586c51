"""The site-wide consumers of `content_changed` (see sitewide/changes.py)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sitewide import pagestore
from sitewide.cache import CacheUnavailableError
from sitewide.changes import RENDERING_ONLY, addresses, consumer, refreshes
from sitewide.purge import purger
from sitewide.social import make_site_images

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1
LAST_RETRY_SECONDS = 60
# Longer than nginx takes to finish writing a response it was receiving during the first purge
# (a reader's render from before the change, stored over the refreshed copy). The second
# refresh is answered from the app's page cache: no render.
SECOND_PURGE_SECONDS = 2


def page_keys(keys):
    """A change's keys as pages record them (sitewide/pagestore.py), and the addresses it
    names itself (`address:/en/posts/x/`: not a page's key, which pagestore passes by; the
    proxies' purger handles those first, a withdrawn article's page above all)."""
    found = set()
    for key in keys:
        if key in ("settings", "subscribers", "all"):
            # The name and pitch, the rounded subscriber count (on every page); a restore.
            found.add(pagestore.EVERYTHING)
        elif key == RENDERING_ONLY:
            continue  # says what kind of change it is; no page shows it
        elif key.startswith("rendition:"):
            found.add(key.removeprefix("rendition:"))  # new image sizes in its page
        else:
            found.add(key)
    return sorted(found)


# Before the cards and renditions queued by earlier changes: a withdrawal must not wait
# behind pictures being drawn.
@consumer(priority=50, queue_setting="PAGE_INVALIDATION_QUEUE")
def invalidate_pages(keys):
    from sitewide.models import PendingInvalidation

    # What pages read besides the rows (the search index) first: the invalidation below then
    # also drops a search page rendered from the old index.
    failed = None
    for refresh in refreshes():
        try:
            refresh(keys)
        except Exception as error:  # re-raised below, after the invalidation
            failed = error
    # Kept before it is tried: a cache or proxy that is down, or a worker that dies, cannot
    # lose it.
    PendingInvalidation.objects.create(keys=page_keys(keys), urls=addresses(keys))
    deliver_invalidations()
    if failed is not None:
        # A broken index must not keep pages stale: invalidated already; the queue retries.
        raise failed


@task(priority=50)
def retry_invalidations():
    deliver_invalidations()


# How long a worker has the proxies' part of a change to itself once the page cache has it:
# that part runs outside the row's lock (below); past the lease, another worker takes it over,
# as after a crash.
PROXY_LEASE_SECONDS = 60


def deliver_invalidations():
    """Delivers what is pending, oldest first; what fails is tried again later (a growing
    delay, up to a minute, for as long as it takes), logged each time."""
    from sitewide.models import PendingInvalidation

    now = timezone.now()
    for pk in PendingInvalidation.objects.values_list("pk", flat=True):
        with transaction.atomic():
            # Two workers may deliver at once (the page queue's own, and one that takes every
            # queue): each row goes to one of them; the other moves on instead of waiting.
            pending = (
                PendingInvalidation.objects.select_for_update(skip_locked=True)
                .filter(pk=pk)
                .first()
            )
            if pending is None or (pending.retry_at and pending.retry_at > now):
                continue
            if not deliver_to_cache(pending, now):
                break  # the cache is away: the rest would fail the same way
        # Committed first: the page index rows the invalidation handed out were locked until
        # now, and nginx's refresh renders pages that record their addresses in those rows
        # (sitewide/pagestore.py), which would wait for this transaction while it waits for them.
        if pending.delivered:
            deliver_to_proxies(pending, now)
    schedule_retry()


def deliver_to_cache(pending, now):
    """One pending change to the page cache, the row then leased to this worker for the
    proxies; False when the cache was unreachable."""
    try:
        if not pending.delivered:
            urls = pagestore.invalidate(pending.keys)
            pending.urls = sorted(set(pending.urls) | urls)
            pending.delivered = True
        pending.retry_at = timezone.now() + timedelta(seconds=PROXY_LEASE_SECONDS)
        pending.save(update_fields=["urls", "delivered", "retry_at"])
    except Exception as error:  # whatever failed, the next try may succeed
        failed(pending, now, error)
        return not isinstance(error, CacheUnavailableError)
    return True


def deliver_to_proxies(pending, now):
    from sitewide.models import PendingInvalidation

    try:
        front = purger()
        if front is not None and (pending.urls or pending.keys):
            front.purge(pending.keys, pending.urls)
            if not pending.second_pass and retry_task().get_backend().supports_defer:
                PendingInvalidation.objects.create(
                    keys=pending.keys,
                    urls=pending.urls,
                    delivered=True,
                    second_pass=True,
                    retry_at=now + timedelta(seconds=SECOND_PURGE_SECONDS),
                )
        pending.delete()
    except Exception as error:  # whatever failed (the proxy, the database), the next try may
        failed(pending, now, error)


def failed(pending, now, error):
    pending.attempts += 1
    delay = min(FIRST_RETRY_SECONDS * 2 ** (pending.attempts - 1), LAST_RETRY_SECONDS)
    pending.retry_at = now + timedelta(seconds=delay)
    pending.error = str(error)[:2000]
    pending.save(update_fields=["attempts", "retry_at", "error"])
    logger.warning(
        "Invalidating %s failed (attempt %s), retrying in %s s: %s",
        ",".join(pending.keys)[:200],
        pending.attempts,
        delay,
        error,
    )


def retry_task():
    retry = retry_invalidations.using(backend=settings.CONTENT_CHANGE_TASKS)
    if settings.PAGE_INVALIDATION_QUEUE:
        retry = retry.using(queue_name=settings.PAGE_INVALIDATION_QUEUE)
    return retry


def schedule_retry():
    from sitewide.models import PendingInvalidation

    retry_at = (
        PendingInvalidation.objects.filter(retry_at__isnull=False)
        .order_by("retry_at")
        .values_list("retry_at", flat=True)
        .first()
    )
    if retry_at is None:
        return
    retry = retry_task()
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=retry_at)
        transaction.on_commit(retry.enqueue)
    # A backend that runs tasks at once (tests) cannot wait: the next change delivers it.


@consumer
def draw_site_cards(keys):
    if settings.SOCIAL_IMAGES and "settings" in keys:
        make_site_images()
