"""The apps stand in layers, and template tags do no I/O.

An app imports only apps of a lower layer, so there is no import circle anywhere: the site
app at the bottom, the articles (the core) above it, the content apps that extend articles
above that, the importer and the exports above those, and `blogsite`, whose pages combine
apps, on top. A page's template tags only format what its view loaded: a tag that read the
database or the cache would hide a query, or a round trip, from the view that makes the page.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "sitewide": 0,
    "articles": 1,
    "series": 2,
    "newsletter": 2,
    "federation": 2,
    "hugo_import": 3,
    "portability": 3,
    "blogsite": 4,
}
# What a template tag module may not import: the ORM, the cache, any app's models.
NO_IO = ("django.db", "django.core.cache", "django.contrib.auth.models")


def project_apps():
    return sorted(
        {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
        | {"blogsite"}
    )


def imported_modules(path):
    """Every module the file imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def source_files(app):
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


def test_every_app_of_the_project_has_a_layer():
    assert set(project_apps()) == set(LAYERS)


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_an_app_imports_only_apps_below_it(app):
    upward = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in source_files(app)
        for module in imported_modules(path)
        if (other := module.split(".")[0]) in LAYERS
        and other != app
        and LAYERS[other] >= LAYERS[app]
    )
    assert upward == []


def test_template_tags_read_neither_the_database_nor_the_cache():
    tag_modules = [path for app in LAYERS for path in (ROOT / app).glob("templatetags/*.py")]
    assert tag_modules, "no template tag modules found: the check would check nothing"
    found = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in tag_modules
        for module in imported_modules(path)
        if module.startswith(NO_IO) or module.split(".")[-1] == "models" or ".models." in module
    )
    assert found == []
