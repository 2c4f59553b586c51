"""settings.LANGUAGES decides the site's languages: no language code is written into the
application's code (settings, translations, fixtures and migrations aside), and what is per
language (search configurations, Open Graph locales) has a setting and a fallback for a
language added later. tests/test_third_language.py adds one."""

import re
from pathlib import Path

import pytest
from django.db import connection

from articles import search_index
from articles.search import search
from sitewide.metadata import locale_of

ROOT = Path(__file__).resolve().parents[1]
APPS = ["blogsite", "sitewide", "articles", "series", "newsletter", "federation", "hugo_import"]
SOURCES = [*APPS, "portability", "templates", "static/js", "deploy"]
# A language code as a string: "en", 'ru', lang="en"; or a field of one language: title_ru.
LITERAL = re.compile(r"""["'](?:en|ru)["']|\b[a-z]+_(?:en|ru)\b""")
# Where one must stay, and why.
KEPT = {
    # Hugo's own default language when a Hugo config names none.
    "hugo_import/site.py": ['or "en"'],
    # Django renders the 500 page with no request, hence no language: each edition's sentence
    # is written in it.
    "templates/500.html": ['<html lang="en">', '<p lang="ru">'],
    # The demo newsletter's readers and issue (demo content, like articles/demo/).
    "newsletter/management/commands/load_newsletter_demo.py": ['"en"', '"ru"', "_en=", "_ru="],
}


def code_files():
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if path.suffix not in {".py", ".html", ".js", ".txt", ".xml", ".conf"}:
                continue
            if any(part in {"migrations", "locale", "demo", "vendor"} for part in path.parts):
                continue
            if relative == "blogsite/settings.py":
                continue
            yield relative, path


def code_lines(path):
    """Lines of code without their comments and docstrings' prose (where a code is an example)."""
    in_docstring = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        quotes = stripped.count('"""')
        if in_docstring or stripped.startswith('"""'):
            in_docstring = in_docstring != (quotes % 2 == 1)
            continue
        if stripped.startswith(("#", "//", "{#")):
            continue
        yield number, line.split(" # ")[0].split("// ")[0].split("{#")[0]


def test_no_language_code_is_written_into_the_code():
    found = []
    for relative, path in code_files():
        kept = KEPT.get(relative, [])
        for number, line in code_lines(path):
            if LITERAL.search(line) and not any(text in line for text in kept):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


def test_the_scan_would_see_a_literal(tmp_path):
    path = tmp_path / "view.py"
    path.write_text('"""Docs say "en" freely."""\n# So do comments: "en".\nif language == "ru":\n')
    assert [number for number, line in code_lines(path) if LITERAL.search(line)] == [3]


def test_open_graph_locale_from_settings_or_from_the_code(settings):
    settings.OPEN_GRAPH_LOCALES = {"en": "en_GB"}
    assert locale_of("en") == "en_GB"
    assert locale_of("ru") == "ru_RU"
    assert locale_of("de") == "de_DE"
    assert locale_of("pt-br") == "pt_BR"


def test_search_configuration_from_settings_or_simple(settings):
    settings.SEARCH_CONFIGS = {"en": "english", "ru": "russian", "de": "german"}
    assert search_index.config("de") == "german"
    assert search_index.config("fr") == "simple"


@pytest.mark.django_db
def test_a_language_whose_index_is_missing_gets_it_made_and_filled_by_migrate(make_article):
    """What a language added to LANGUAGES meets at its first `migrate` (its column aside)."""
    article = make_article(title_en="Vacuum and bloat", title_ru="Вакуум и раздувание")
    if connection.vendor == "postgresql":
        # The test's open transaction holds the article's foreign-key checks, which would
        # refuse an index on its table; `migrate` makes it with none pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    search_index.drop_storage(connection, ["ru"])
    assert search_index.missing_storage("default", article.__class__) == ["ru"]

    search_index.ensure_storage(sender=None)

    assert search_index.missing_storage("default", article.__class__) == []
    assert [found.pk for found in search("раздувание", "ru")] == [article.pk]
    assert [found.pk for found in search("bloat", "en")] == [article.pk]


def test_the_writing_desk_wraps_a_word_in_the_fields_language(admin_client):
    """Bold or italic with nothing selected inserts «text» in the language of the field, from
    the catalogue, not from a language test in editor.js."""
    page = admin_client.get("/admin/articles/article/add/").content.decode()
    desks = re.findall(r'data-language="(\w+)" data-placeholder="([^"]*)"', page)
    assert desks == [("en", "text"), ("ru", "текст")]
