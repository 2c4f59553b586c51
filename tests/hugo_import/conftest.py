import shutil
from pathlib import Path

import pytest
from django.db import transaction
from django.test import TestCase, override_settings

from hugo_import.importer import import_site
from hugo_import.site import HugoSite
from sitewide.changes import _PendingChange

FIXTURE_SITE = Path(__file__).resolve().parents[1] / "fixtures" / "hugo_site"


@pytest.fixture
def hugo_site(tmp_path):
    """A copy of the fixture site that a test may edit."""
    return Path(shutil.copytree(FIXTURE_SITE, tmp_path / "hugo_site"))


@pytest.fixture
def run_import(db):
    def run(path, dry_run=False, **options):
        return import_site(HugoSite.load(path), dry_run=dry_run, **options)

    return run


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    """The fixture site imported once for a module of tests that only read the result.

    Each test still runs in its own savepoint; the whole import is rolled back at the end.
    Modules that need an empty database to start from must not use it.
    """
    site = shutil.copytree(FIXTURE_SITE, tmp_path_factory.mktemp("hugo") / "hugo_site")
    media = tmp_path_factory.mktemp("media")
    # Module-scoped: the session's settings (tests/conftest.py) hold, not a test's media folder.
    media_folder = override_settings(MEDIA_ROOT=media)
    with django_db_blocker.unblock(), media_folder, transaction.atomic():
        # Files are written and renditions made after commit; this import never commits, so
        # run them here: the files first, as the worker only starts after the whole commit.
        with TestCase.captureOnCommitCallbacks() as callbacks:
            report = import_site(HugoSite.load(site))
        for callback in sorted(callbacks, key=lambda c: isinstance(c, _PendingChange)):
            callback()
        yield report, media
        transaction.set_rollback(True)


@pytest.fixture
def report(imported, db, settings):
    report, media = imported
    settings.MEDIA_ROOT = media
    return report
