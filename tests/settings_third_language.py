"""The project's settings with a third edition, German: what adding a language takes.

Only LANGUAGES changes; everything else that is per language (modeltranslation's columns,
the search index, Open Graph locales, the sitemap, the feeds) must follow from it. Used by
tests/test_third_language.py in a process of its own (the translated columns are made when
the models load), on a fresh SQLite file whose schema comes from the models, not from the
migrations (a real site adds the columns with `makemigrations`).
"""

import os
import tempfile
from pathlib import Path

from blogsite.settings import *  # noqa: F403
from blogsite.settings import LANGUAGES

LANGUAGES = [*LANGUAGES, ("de", "Deutsch")]

WORK = Path(os.environ.get("THIRD_LANGUAGE_DIR") or tempfile.mkdtemp(prefix="third-language-"))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(WORK / "site.db"),
        # A throwaway file: no waiting for the disk on each of the schema's statements.
        "OPTIONS": {"init_command": "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"},
    }
}


class NoMigrations(dict):
    """No app has migrations: `migrate --run-syncdb` makes the schema from the models as they
    are with German."""

    def __contains__(self, app_label):
        return True

    def __getitem__(self, app_label):
        return None


MIGRATION_MODULES = NoMigrations()
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = WORK / "media"
SOCIAL_IMAGES = False
# What follows a change (the search index first) runs when it commits.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
