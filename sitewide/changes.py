"""What follows a change, in one place.

A change to what public pages show (a save, delete, publish, reorder, a tag added) sends one
`content_changed` signal once its transaction commits, with the keys of what changed:
`article:42`, `series:7`, `tag:3`, `author:2`, `settings`, `list:<lang>`, `tag-list:3` and
`author-list:2` (an article joined or left a tag's or author's list), `search`,
`subscribers` (the signup block's count), `all` (a restore: anything may differ),
`rendering-only` (`manage.py rerender`: the HTML of the articles named changed, nothing that
decides which lists or related reading show them). Every
consumer is a task on the worker, listed in `settings.CONTENT_CHANGE_CONSUMERS` (the project,
on top of every app, names them; this app imports none of them), enqueued once per change with
the keys, idempotent, and retried with a growing delay when it fails.
"""

import logging
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import Signal, receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

logger = logging.getLogger(__name__)

# Sent after commit with `keys`, a frozenset of strings.
content_changed = Signal()

RETRIES = 5
FIRST_RETRY_SECONDS = 10


class _Batch:
    """The keys one transaction changed."""

    def __init__(self, alone=False):
        self.keys = set()
        self.sent = False
        # A change of a kind its keys name (`rendering-only`): sent on its own, never merged
        # with the transaction's other changes, which that kind would misdescribe.
        self.alone = alone


class _PendingChange:
    """Registered with on_commit for every change; the first to run sends the whole batch."""

    def __init__(self, batch):
        self.batch = batch

    def __call__(self):
        if not self.batch.sent:
            self.batch.sent = True
            content_changed.send(sender=_PendingChange, keys=frozenset(self.batch.keys))


def changed(*keys):
    """Announce `keys` once the current transaction commits (at once outside one).

    All changes of one transaction go out as one event, so a save that also sets tags and
    renumbers parts invalidates once.
    """
    keys = {key for key in keys if key}
    if not keys:
        return
    batch = None
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        batch = next(
            (
                callback.batch
                for _savepoints, callback, _robust in connection.run_on_commit
                if isinstance(callback, _PendingChange)
                and not callback.batch.sent
                and not callback.batch.alone
            ),
            None,
        )
    batch = batch or _Batch()
    batch.keys.update(keys)
    transaction.on_commit(_PendingChange(batch))


RENDERING_ONLY = "rendering-only"


def changed_only_in_rendering(*keys):
    """Announce that what `keys` show was rendered again and nothing else changed, as one
    event of its own once the transaction commits (at once outside one)."""
    batch = _Batch(alone=True)
    batch.keys.update({key for key in keys if key} | {RENDERING_ONLY})
    transaction.on_commit(_PendingChange(batch))


def list_keys():
    return [f"list:{code}" for code, _name in settings.LANGUAGES]


# A page's own address among a change's keys: the proxies purge it whatever the page index
# (kept in the cache, which may evict it or restart empty) still remembers.
ADDRESS_PREFIX = "address:"


def address_keys(paths):
    return [f"{ADDRESS_PREFIX}{path}" for path in paths]


def addresses(keys):
    """The absolute URLs named by a change's address keys."""
    site = settings.SITE_URL.rstrip("/")
    named = (key for key in keys if key.startswith(ADDRESS_PREFIX))
    return sorted(site + key.removeprefix(ADDRESS_PREFIX) for key in named)


def ids(keys, kind):
    """The primary keys of one kind among `keys`: ids(["article:4"], "article") == [4]."""
    prefix = f"{kind}:"
    return sorted(int(key[len(prefix) :]) for key in keys if key.startswith(prefix))


# Consumers that go to the queue a setting names rather than the default one (the page
# invalidation: `make prod` gives it a worker of its own, so a withdrawal never waits behind
# cards being drawn). {task function's dotted name: setting}
_queues = {}


def on_its_queue(task_, name):
    setting = _queues.get(name)
    queue = getattr(settings, setting, "") if setting else ""
    return task_.using(queue_name=queue) if queue else task_


def consumer(function=None, *, priority=0, queue_setting=None):
    """A task that does `function(keys)` and, when it raises, is queued again later.

    The function must be idempotent: a retry, or a second change, runs it again. A higher
    priority runs before the other consumers waiting on the worker; `queue_setting` names
    the setting that holds its queue.
    """
    if function is None:
        return lambda function: consumer(function, priority=priority, queue_setting=queue_setting)
    name = f"{function.__module__}.{function.__name__}"
    if queue_setting:
        _queues[name] = queue_setting

    @task(priority=priority)
    @wraps(function)
    def run(keys, attempt=0):
        try:
            return function(keys)
        except Exception:
            # Whatever failed (storage, database, cache), the next try may succeed.
            if attempt >= RETRIES:
                raise
            logger.warning("%s failed, retry %s", function.__name__, attempt + 1, exc_info=True)
            retry = on_its_queue(run.using(backend=settings.CONTENT_CHANGE_TASKS), name)
            if retry.get_backend().supports_defer:
                delay = timedelta(seconds=FIRST_RETRY_SECONDS * 2**attempt)
                retry = retry.using(run_after=timezone.now() + delay)
            retry.enqueue(keys, attempt + 1)
            return None

    return run


def consumers():
    return [import_string(path) for path in settings.CONTENT_CHANGE_CONSUMERS]


def refreshes():
    """Plain functions of the keys that the page invalidation runs before it bumps."""
    return [import_string(path) for path in getattr(settings, "CONTENT_CHANGE_REFRESHES", [])]


@receiver(content_changed, dispatch_uid="enqueue-change-consumers")
def enqueue_consumers(sender, *, keys, **kwargs):
    for path, consume in zip(settings.CONTENT_CHANGE_CONSUMERS, consumers(), strict=True):
        on_its_queue(consume.using(backend=settings.CONTENT_CHANGE_TASKS), path).enqueue(
            sorted(keys)
        )


class ChangeAnnouncing(models.Model):
    """A model whose saves and deletes announce `change_keys()` after commit."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        changed(*self.change_keys())

    def change_keys(self):
        return [f"{self._meta.model_name}:{self.pk}"]

    def shown_keys(self):
        """The keys a page that loads this object shows (sitewide/pagestore.py)."""
        return [f"{self._meta.model_name}:{self.pk}"]

    def membership_keys(self):
        """What changes when another object joins or leaves this one (an article gets or
        loses a tag): its own change by default; a tag says its list only, so the pages
        that merely name the tag stay cached."""
        return self.change_keys()


@receiver(post_delete, dispatch_uid="delete-announces-change")
def deleted(sender, instance, **kwargs):
    """Deleted one by one or in bulk (the admin's "delete selected" deletes a queryset)."""
    if isinstance(instance, ChangeAnnouncing):
        changed(*instance.change_keys())


@receiver(m2m_changed, dispatch_uid="m2m-announces-change")
def relation_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Tags added to or removed from an article, from either side."""
    if not isinstance(instance, ChangeAnnouncing):
        return
    if action == "pre_clear":
        # Which objects lose the link is known only before the links are gone.
        if issubclass(model, ChangeAnnouncing):
            for other in _linked(sender, instance, model):
                changed(*other.membership_keys())
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    changed(*instance.membership_keys())
    if pk_set and issubclass(model, ChangeAnnouncing):
        for other in model._base_manager.filter(pk__in=pk_set):
            changed(*other.membership_keys())


def _linked(through, instance, model):
    mine = next(
        field.name
        for field in through._meta.fields
        if field.is_relation and isinstance(instance, field.related_model)
    )
    other = next(
        field.attname
        for field in through._meta.fields
        if field.is_relation and field.related_model is model and field.name != mine
    )
    linked = through.objects.filter(**{mine: instance.pk}).values_list(other, flat=True)
    return model._base_manager.filter(pk__in=linked)
