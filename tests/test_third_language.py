"""Adding a language is a settings change (plus its translations): with German added to
LANGUAGES, every page type, feed and the sitemap serve a German edition.

German needs its own columns (modeltranslation's title_de…, search_de), made when the models
load, so the site runs in a process of its own (tests/third_language_site.py) with
tests/settings_third_language.py, on a fresh SQLite file.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_a_third_language_is_served_everywhere(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings_third_language",
        "THIRD_LANGUAGE_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(TESTS / "third_language_site.py")],
        capture_output=True,
        text=True,
        env=environment,
        cwd=TESTS.parent,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["problems"] == []
    # Every page type was asked for, not skipped.
    checked = set(report["checked"])
    for path in (
        "/de/",
        "/de/posts/nur-deutsch/",
        "/de/series/postgres/",
        "/de/tags/datenbanken/",
        "/de/authors/greta/",
        "/de/archive/",
        "/de/search/?q=Warteschlange",
        "/de/feed/",
        "/de/feed/atom/",
        "/de/feed.json",
        "/sitemap.xml",
    ):
        assert path in checked
