"""What public-page caches are checked against besides what each page shows
(sitewide/pagestore.py): the time the next scheduled article goes live, and a way to make
every page stale at once.
"""

# Callables answering "when does the next scheduled item of yours go live?" (an aware datetime
# or None), registered by the content apps in their AppConfig.ready: this app imports none.
_schedules = []


def register_schedule(next_at):
    if next_at not in _schedules:
        _schedules.append(next_at)


def next_publication():
    """The earliest time a scheduled item goes live, or None.

    No cached copy of a page may live past it, so a scheduled article appears at its second.
    """
    times = [at for at in (next_at() for next_at in _schedules) if at is not None]
    return min(times, default=None)


def bump_content_version():
    """Every cached page becomes stale, here and in the proxies (a restore, a new renderer):
    announced like any change, so it is kept in the database until the cache has it."""
    from sitewide.changes import changed
    from sitewide.pagestore import EVERYTHING

    changed(EVERYTHING)
