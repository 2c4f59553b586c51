"""Every UI string has a Russian translation, and the committed .mo matches its .po."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[1]
# The site's catalogue and each app's, one folder down: walking the whole tree (node_modules,
# the virtualenv) to find them cost each test worker a second of CPU while collecting.
CATALOGUES = sorted(
    path
    for pattern in ("locale/ru/LC_MESSAGES/django.po", "*/locale/ru/LC_MESSAGES/django.po")
    for path in ROOT.glob(pattern)
    if path.parts[len(ROOT.parts)] != ".venv"
)


def test_every_app_has_a_russian_catalogue():
    names = {path.relative_to(ROOT).parts[0] for path in CATALOGUES}
    assert {"locale", "articles", "series", "newsletter"} <= names


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_message_is_untranslated_or_fuzzy(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path}: {untranslated}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy}"
    assert not catalogue.metadata_is_fuzzy, "a fuzzy header hides Plural-Forms from msgfmt"


def messages(catalogue):
    found = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        key = (entry.msgctxt, entry.msgid)
        found[key] = entry.msgstr_plural and dict(sorted(entry.msgstr_plural.items()))
        found[key] = found[key] or entry.msgstr
    return found


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_compiled_catalogue_is_not_older_than_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    assert messages(polib.mofile(str(mo_path))) == messages(polib.pofile(str(po_path))), (
        f"{mo_path} does not match {po_path}: run `make messages`"
    )


def makefile_apps():
    """The apps `make messages` gives a catalogue of their own (the Makefile's APPS)."""
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^APPS := (.+)$", makefile, re.MULTILINE).group(1).split()


def translated():
    """The Makefile's LOCALE_FLAGS: every language of settings.LANGUAGES but the default one."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def make_messages(project):
    """What `make messages` runs, in this process: one start-up of Django instead of nine.

    The same commands with the same options as the Makefile's recipe, each app's catalogue made
    from inside the app, then the site-wide one; the catalogue folders are the copy's own.
    """
    options = {"locale": translated(), "no_location": True, "no_obsolete": True, "verbosity": 0}
    apps = makefile_apps()
    with override_settings(LOCALE_PATHS=[project / "locale"]):
        for app in apps:
            (project / app / "locale").mkdir(exist_ok=True)
            os.chdir(project / app)
            call_command("makemessages", **options)
        os.chdir(project)
        ignored = [".venv/*", "node_modules/*", "audit/*", "screenshots/*", "staticfiles/*"]
        call_command(
            "makemessages", **options, ignore_patterns=[*ignored, *(f"{app}/*" for app in apps)]
        )
        call_command(
            "compilemessages",
            locale=translated(),
            ignore_patterns=[".venv/*", "node_modules/*", "audit/*"],
            verbosity=0,
        )


def test_the_makefile_recipe_is_the_one_the_test_runs():
    # make_messages above mirrors the recipe; a change there must be made here too.
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nmessages:") :].split("\n\n", 1)[0]
    assert recipe.count("makemessages $(LOCALE_FLAGS) --no-location --no-obsolete") == 2
    assert "for app in $(APPS)" in recipe
    assert '--ignore ".venv/*"' in recipe
    assert "compilemessages $(LOCALE_FLAGS)" in recipe
    flags = makefile[makefile.index("LOCALE_FLAGS =") :].split("\nmessages:", 1)[0]
    assert "s.LANGUAGES if c != s.LANGUAGE_CODE" in flags
    assert {"articles", "series", "newsletter", "sitewide"} <= set(makefile_apps())


def test_every_string_marked_for_translation_is_translated(tmp_path, monkeypatch):
    # Regenerate the catalogues in a copy, as `make messages` would, and read what came out.
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "node_modules",
            "media",
            "staticfiles",
            ".prod",
            "screenshots",
            "*.sqlite3",
            "__pycache__",
        ),
    )
    monkeypatch.chdir(copy)  # and back afterwards
    make_messages(copy)
    missing = {}
    for po_path in copy.glob("**/locale/ru/LC_MESSAGES/django.po"):
        catalogue = polib.pofile(str(po_path))
        entries = catalogue.untranslated_entries() + catalogue.fuzzy_entries()
        if entries:
            missing[str(po_path.relative_to(copy))] = [entry.msgid for entry in entries]
    assert not missing, f"run `make messages` and translate: {missing}"
