"""Every UI string has a Russian translation, and the committed .mo matches its .po."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted(
    path
    for path in ROOT.glob("**/locale/ru/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "site-packages" not in path.parts
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


def test_every_string_marked_for_translation_is_translated(tmp_path):
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
    venv = Path(sys.executable).parent.parent
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(copy), "messages", f"VENV={venv}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    missing = {}
    for po_path in copy.glob("**/locale/ru/LC_MESSAGES/django.po"):
        catalogue = polib.pofile(str(po_path))
        entries = catalogue.untranslated_entries() + catalogue.fuzzy_entries()
        if entries:
            missing[str(po_path.relative_to(copy))] = [entry.msgid for entry in entries]
    assert not missing, f"run `make messages` and translate: {missing}"
