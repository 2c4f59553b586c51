import functools
import gc
import os
import re
from datetime import timedelta

import datastack
import demo_snapshot
import migrated_template
import module_order
import pytest
from _pytest.runner import pytest_runtest_protocol as default_runtest_protocol
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.template import Template
from django.test import override_settings
from django.test.utils import instrumented_test_render
from django.utils import timezone, translation
from factories import (
    new_ada_writer,
    new_article,
    new_author,
    new_live_article,
    new_series,
    new_tag,
)
from group_setup import create_editorial_groups
from pytest_django.plugin import blocking_manager_key

from articles.models import Article
from sitewide.cache import UNREACHABLE


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # Newsletter tests run the real task worker as a second process, which must see the test
    # database: on SQLite it lives in a file rather than in memory.
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def django_db_keepdb(django_db_keepdb, django_db_modify_db_settings, request):
    """On SQLite each worker starts from a copy of the database its migrations made last time
    (tests/migrated_template.py); Django's setup then runs `migrate` over it, which finds
    nothing to do unless a migration is new."""
    if django_db_keepdb:  # --reuse-db
        return True
    return migrated_template.restore(request.config)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_keepdb, request):
    if not django_db_keepdb:
        migrated_template.save(request.config)
    return django_db_setup


def uses_redis(cache_settings):
    return str(cache_settings.get("LOCATION", "")).startswith(("redis://", "rediss://"))


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker per core this process may run on. A third worker on two cores
    was worth it while Chromium's full browser left cores waiting; with its headless shell
    the suite keeps both cores busy from start to end, and the third worker's own start-up and
    the three-way contention cost more than the waits it filled: the same commit took 144 s
    (288 core-seconds, counted over the machine) on three workers, 126 s (231) on two.
    (PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set.)"""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    return len(os.sched_getaffinity(0))


def pytest_collection_modifyitems(config, items):
    module_order.reorder(config, items)


# The site's consumers of a change, as blogsite.settings lists them (`_test_settings` takes one
# out).
SITE_CONSUMERS = list(settings.CONTENT_CHANGE_CONSUMERS)


def pytest_configure(config):
    # Python's cyclic garbage collector ran a thousand times over 400 tests of page requests,
    # for 5% of their CPU, most of it walking the same long-lived objects (Django's, the test
    # session's) again; a later first collection (100,000 allocations, not 700) takes a third
    # of that cost off. Nothing a test checks waits for a collection.
    gc.set_threshold(100_000, 50, 100)
    if module_order.records(config):
        config.pluginmanager.register(module_order.Recorder(config), "module_order_recorder")
    # Parallel workers (pytest-xdist) share one Redis database: each keeps its own keys, and
    # the processes it starts (task workers, app servers) inherit them through the environment.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    # The real hasher spends a quarter of a CPU second on each password it stores or checks,
    # on purpose; a test user's password guards nothing. (Processes a test starts, the app
    # servers and `createsuperuser`, keep the real hashers of blogsite.settings.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache_settings = settings.CACHES["default"]
    if worker and uses_redis(cache_settings):
        cache_settings["KEY_PREFIX"] = f"{cache_settings.get('KEY_PREFIX', '')}-{worker}"
        os.environ["CACHE_KEY_PREFIX"] = cache_settings["KEY_PREFIX"]


@pytest.fixture(scope="session", autouse=True)
def _cache_clear_keeps_to_this_worker():
    """Redis's cache.clear() empties the whole database, the other workers' entries too: in
    a parallel run it deletes this worker's keys only."""
    cache_settings = settings.CACHES["default"]
    if not (os.environ.get("PYTEST_XDIST_WORKER") and uses_redis(cache_settings)):
        yield
        return

    def clear(self):
        if hasattr(self, "delete_pattern"):  # django-redis keeps to the prefix by itself
            self.delete_pattern("*")
            return
        client = self._cache.get_client(write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        try:
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                client.delete(*keys)
        except UNREACHABLE:
            # A test that points the cache at a Redis that is down (or one it has stopped):
            # nothing of ours is stored there.
            pass

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(caches["default"]), "clear", clear)
        yield


WHITENOISE_SETTINGS = [
    "DEBUG", "STATIC_URL", "STATICFILES_DIRS", "STATICFILES_FINDERS", "INSTALLED_APPS",
    "WHITENOISE_STATIC_PREFIX", "WHITENOISE_MAX_AGE", "WHITENOISE_ALLOW_ALL_ORIGINS",
    "WHITENOISE_CHARSET", "WHITENOISE_MIMETYPES", "WHITENOISE_ADD_HEADERS_FUNCTION",
    "WHITENOISE_INDEX_FILE", "WHITENOISE_IMMUTABLE_FILE_TEST",
]  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """WhiteNoise serves the static folders through the finders here (as under `make run`),
    and its middleware lists and stats every static file when it is made: for every test
    client, some 25 ms each, thousands of times a run. It lists STATIC_ROOT too when the
    folder exists (after `make prod` or `make bench` collected into it: 640 files, which made
    one 22-test module take 56 s instead of 5). The files do not change while the tests run,
    so each list is made once for each set of settings it depends on."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    listed = {}

    def listed_once(list_files, *args, **kwargs):
        def add(self):
            key = repr(
                [args, kwargs, *(getattr(settings, name, None) for name in WHITENOISE_SETTINGS)]
            )
            if key not in listed:
                before = dict(self.files)
                list_files(self, *args, **kwargs)
                listed[key] = {url: file for url, file in self.files.items() if url not in before}
            self.files.update(listed[key])

        return add

    list_from_finders = WhiteNoiseMiddleware.add_files_from_finders
    list_folder = WhiteNoiseMiddleware.add_files

    def add_files_from_finders(self):
        listed_once(list_from_finders)(self)

    def add_files(self, root, prefix=None):
        if self.autorefresh:  # keeps folders to look in, lists nothing
            return list_folder(self, root, prefix)
        return listed_once(list_folder, str(root), prefix)(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "add_files_from_finders", add_files_from_finders)
        patch.setattr(WhiteNoiseMiddleware, "add_files", add_files)
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    # Tests share one cache (Redis on CI): start each from empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    # A request in Russian leaves Russian active in the thread; each test starts in English.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


RELATED_CONSUMER = "articles.tasks.refresh_related"


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """The settings every test starts from, set once for the session (set for each test, they
    were thousands of `setting_changed` signals a run); a test changes them with `settings`.

    - No whole-page cache: tests count what rendering costs and see what a render shows
      (tests/test_page_cache.py turns it on to test the cache itself).
    - Links are built from SITE_URL (blogsite.middleware.SiteHostMiddleware); the test
      client's host is "testserver".
    - What follows a change runs when the change commits, on a backend of its own: the
      newsletter's queue tests see only their own tasks. Tests of the worker path set
      CONTENT_CHANGE_TASKS back to "default".
    - Re-ranking the related reading of every article a save may reorder is a third of what
      a test's article costs to make (articles/related.py): tests leave it to the page, which
      ranks and stores an article's list the first time it is read, as on a site just
      restored (`_related_ranked_where_tested` gives it back).
    - Drawing two 1200x630 social images per saved article would slow every test; the social
      image tests turn it back on.
    """
    with override_settings(
        PAGE_CACHE_SECONDS=0,
        SITE_URL="http://testserver",
        TASKS={
            **settings.TASKS,
            "changes": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        },
        CONTENT_CHANGE_TASKS="changes",
        CONTENT_CHANGE_CONSUMERS=[path for path in SITE_CONSUMERS if path != RELATED_CONSUMER],
        SOCIAL_IMAGES=False,
    ):
        yield


@pytest.fixture(autouse=True)
def _related_ranked_where_tested(request, settings):
    """Tests of the stored related reading and of what a change re-ranks are marked
    `related_reading`: the site's own consumers run after their changes."""
    if request.node.get_closest_marker("related_reading") is not None:
        settings.CONTENT_CHANGE_CONSUMERS = list(SITE_CONSUMERS)


# Template rendering as Django does it outside tests (read before pytest-django's test
# environment swaps in the recording one).
PLAIN_RENDER = Template._render
assert PLAIN_RENDER is not instrumented_test_render


@pytest.fixture(autouse=True)
def _template_context_recorded_where_read(request):
    """The test client keeps a copy of every template's context (includes too) for
    `response.context`: an eighth of what a page costs a test (11.3 against 9.9 ms on the demo
    site). Tests that read it are marked `template_context`; the others render as the site
    does, and `response.context` is None there."""
    if request.node.get_closest_marker("template_context"):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Template, "_render", PLAIN_RENDER)
        yield


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def clock(time_machine):
    """The test's clock, standing still at the current whole second until the test moves it:
    `clock.shift(timedelta(...))` or `clock.move_to(moment)`, never a real sleep.

    It moves the wall clock (time.time, datetime, timezone.now) of this process, not
    time.monotonic, so waits for other processes keep their real timeouts.
    """
    time_machine.move_to(timezone.now().replace(microsecond=0), tick=False)
    return time_machine


@pytest.fixture
def make_author(db):
    return new_author


@pytest.fixture
def author(make_author):
    return new_ada_writer()


@pytest.fixture
def make_tag(db):
    return new_tag


@pytest.fixture
def make_article(db, make_author):
    """An article, live by default; pass status/published_at for drafts and scheduled ones.

    What runs after the commit (the search index, the social image) runs before it returns,
    as it would outside the test's transaction.
    """
    return new_article


@pytest.fixture
def live_article(make_article, author):
    return new_live_article(author)


@pytest.fixture
def live_article_copy(db, made_once):
    """`live_article` and its author, made once for the module and copied into each test that
    asks: for the many tests of a module that only read them (made anew, they were most of
    such a test's time)."""
    made = made_once("live_article", lambda: new_live_article(new_ada_writer()))
    return Article.objects.get(pk=made.pk)


@pytest.fixture
def draft_article(make_article, author):
    return make_article(
        title_en="Unfinished draft", slug="draft", status=Article.Status.DRAFT, author=author
    )


@pytest.fixture
def scheduled_article(make_article, author):
    return make_article(
        title_en="Coming next week",
        slug="scheduled",
        published_at=timezone.now() + timedelta(days=7),
        author=author,
    )


@pytest.fixture
def make_series(db, make_article, author):
    """A series of live parts, one day apart, in reading order."""
    return functools.partial(new_series, author=author)


def load_demo():
    call_command("load_demo", verbosity=0)
    call_command("load_demo_series", verbosity=0)


@pytest.fixture(scope="session")
def demo_content_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content loaded once per session (per xdist worker); see tests/demo_snapshot.py."""
    media = tmp_path_factory.mktemp("demo-media")
    # The session's settings hold here too; the rows get a media folder of their own.
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        return demo_snapshot.take(load_demo, media)


@pytest.fixture(scope="module")
def made_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Rows that many tests of a module start from, made once for the module.

    `made_once(key, make)` runs `make()` the first time (with the plain factories
    in tests/factories.py), keeps the rows it wrote (tests/demo_snapshot.py)
    and gives each test a copy of them, rolled back with the test; it returns what `make`
    returned the first time. Call it inside a test (its `db` fixture on).
    """
    taken = {}

    def copy_of(key, make):
        if key not in taken:
            media = tmp_path_factory.mktemp("made-once-media")
            result = []
            with (
                django_db_blocker.unblock(),
                override_settings(MEDIA_ROOT=media),
                translation.override("en"),
            ):
                snapshot = demo_snapshot.take(lambda: result.append(make()), media)
            taken[key] = snapshot, result[0]
        snapshot, made = taken[key]
        demo_snapshot.restore(snapshot, settings.MEDIA_ROOT)
        return made

    return copy_of


@pytest.fixture
def demo_content(db, demo_content_snapshot, settings):
    """The site as `make demo` fills it (articles, authors, tags, the series, their images).

    Committed for a live-server test, rolled back with the test otherwise.
    """
    demo_snapshot.restore(demo_content_snapshot, settings.MEDIA_ROOT)


@pytest.fixture
def events():
    """The keys of every content_changed event sent while the test runs."""
    from sitewide.changes import content_changed

    sent = []

    def note(sender, *, keys, **kwargs):
        sent.append(keys)

    content_changed.connect(note)
    yield sent
    content_changed.disconnect(note)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """Each test (setup, call, teardown) runs with room on the frame stack
    (tests/datastack.py): pages rendered by the test client took 25-50% less CPU.

    It calls pytest's own protocol (the only plugin one here) and returns its answer, so any
    other plugin's protocol (pytest-rerunfailures, say) would no longer run: one added later
    has to be called from here."""
    return datastack.run(default_runtest_protocol, item, nextitem)


def flushes_the_database(item):
    """A transactional test (a live server's, or marked so) empties every table when it ends."""
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a flush, the editorial groups are made again at once, committed, as the data
    migrations made them: otherwise every later test of the worker that needs them makes them
    inside its own transaction, and rolls them back (4 s of a run)."""
    result = yield
    # With no next test, the session's fixtures are gone too: the test database with them.
    if nextitem is not None and flushes_the_database(item):
        with item.config.stash[blocking_manager_key].unblock():
            create_editorial_groups()
    return result
